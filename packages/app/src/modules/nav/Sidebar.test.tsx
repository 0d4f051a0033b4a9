import { screen, within } from '@testing-library/react';
import { createApiRef } from '@backstage/frontend-plugin-api';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import homePlugin from '@backstage/plugin-home/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import searchPlugin from '@backstage/plugin-search/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import meterSiemPlugin from '@internal/backstage-plugin-meter-siem';
import { navModule } from '.';

// The meter-siem client, answering with no findings.
const meterSiemApi = {
  getFindings: jest.fn(async () => ({
    findings: [],
    counts: {
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
      byOwner: {},
      mine: 0,
    },
    generatedAt: '2025-01-02T03:04:05.000Z',
  })),
};

// The plugins' clients, by their ids (the app depends on neither ref's
// package): the meter-siem plugin's and the catalog's, with no entities.
const meterSiemApiRef = createApiRef<typeof meterSiemApi>().with({
  id: 'plugin.meter-siem.client',
  pluginId: 'meter-siem',
});
const catalogApi = {
  getEntities: jest.fn(async () => ({ items: [] })),
};
const catalogApiRef = createApiRef<typeof catalogApi>().with({
  id: 'plugin.catalog.service',
  pluginId: 'catalog',
});

function renderApp() {
  return renderTestApp({
    features: [
      navModule,
      catalogPlugin,
      scaffolderPlugin,
      homePlugin,
      // What the sidebar's search and notifications use.
      notificationsPlugin,
      searchPlugin,
      signalsPlugin,
      meterSiemPlugin,
    ],
    // As app-config.yaml: the stock home page is off.
    config: {
      app: {
        baseUrl: 'http://localhost:3000',
        extensions: [{ 'page:home': false }],
      },
      backend: { baseUrl: 'http://localhost:7007' },
    },
    apis: [
      [catalogApiRef, catalogApi],
      [meterSiemApiRef, meterSiemApi],
      mockApis.identity({
        userEntityRef: 'user:default/guest',
        ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
      }),
    ],
    initialRouteEntries: ['/'],
  });
}

describe('Sidebar', () => {
  it('has Home, Catalog, Create and SIEM integrations, in that order; Home is ours', async () => {
    renderApp();

    // The home at `/` is the meter-siem plugin's.
    expect(
      await screen.findByRole('link', { name: 'Create a SIEM integration' }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/meter-siem-integration',
    );

    const nav = screen.getByRole('navigation');
    const links = within(nav)
      .getAllByRole('link')
      .map(link => [link.textContent, link.getAttribute('href')]);
    const menu = links.filter(([text]) =>
      ['Home', 'Catalog', 'Create', 'SIEM integrations'].includes(text!),
    );
    expect(menu).toEqual([
      ['Home', '/'],
      ['Catalog', '/catalog'],
      ['Create', '/create'],
      ['SIEM integrations', '/meter-siem'],
    ]);
  });
});
