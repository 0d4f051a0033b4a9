import { createElement } from 'react';
import { screen } from '@testing-library/react';
import {
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { meterSiemApiRef } from './api';
import { meterSiemPlugin } from './plugin';
import {
  auditRouteRef,
  createIntegrationRouteRef,
  integrationsRouteRef,
  rootRouteRef,
} from './routes';
import { finding, mockMeterSiemApi } from './testing/findings';

// The scaffolder's routes as `@backstage/plugin-scaffolder/alpha` declares
// them: its page at /create, a template's page below it.
const scaffolderRoot = createRouteRef();
const scaffolderPlugin = createFrontendPlugin({
  pluginId: 'scaffolder',
  routes: {
    root: scaffolderRoot,
    selectedTemplate: createSubRouteRef({
      parent: scaffolderRoot,
      path: '/templates/:namespace/:templateName',
    }),
  },
  extensions: [
    PageBlueprint.make({
      params: {
        path: '/create',
        routeRef: scaffolderRoot,
        loader: async () => createElement('div', null, 'Scaffolder'),
      },
    }),
  ],
});

describe('meter-siem', () => {
  it('is the plugin meter-siem, with its routes', () => {
    expect(meterSiemPlugin.pluginId).toBe('meter-siem');
    expect(meterSiemPlugin.routes).toEqual({
      root: rootRouteRef,
      integrations: integrationsRouteRef,
      audit: auditRouteRef,
    });
    expect(meterSiemPlugin.externalRoutes).toEqual({
      createIntegration: createIntegrationRouteRef,
    });
  });

  it.each([
    'api:meter-siem',
    'page:meter-siem',
    'sub-page:meter-siem/integrations',
    'sub-page:meter-siem/audit',
    'entity-card:meter-siem/integration',
    'entity-card:meter-siem/audit-findings',
  ] as const)('provides the extension %s', id => {
    expect(meterSiemPlugin.getExtension(id)).toBeDefined();
  });

  it('has an Audit tab beside the Integrations tab', async () => {
    renderTestApp({
      features: [meterSiemPlugin],
      initialRouteEntries: ['/meter-siem/audit'],
      apis: [
        [
          meterSiemApiRef,
          mockMeterSiemApi([finding({ id: 'f1', title: 'A seeded finding' })]),
        ],
        catalogApiMock(),
      ],
    });

    // The tab is loaded lazily.
    expect(
      await screen.findByText('A seeded finding', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Audit' })).toBeInTheDocument();
    expect(
      screen.getByRole('tab', { name: 'Integrations' }),
    ).toBeInTheDocument();
  });

  it("links to the template's page of the scaffolder, without any binding", async () => {
    renderTestApp({
      features: [meterSiemPlugin, scaffolderPlugin],
      initialRouteEntries: ['/meter-siem/integrations'],
      apis: [catalogApiMock()],
    });

    expect(
      await screen.findByRole(
        'link',
        { name: 'Create a SIEM integration' },
        { timeout: 10_000 },
      ),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/meter-siem-integration',
    );
  });
});
