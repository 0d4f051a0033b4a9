import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { coreApis } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import { createIntegrationRouteRef } from '../../routes';
import { integrationEntity } from '../../testing/integrationEntity';
import { IntegrationsPage } from './IntegrationsPage';

const entities: Entity[] = [
  integrationEntity({
    name: 'hq',
    owner: 'group:default/security',
    accountId: '111111111111',
    region: 'eu-west-1',
    environment: 'production',
  }),
  integrationEntity({
    name: 'branch',
    owner: 'group:default/network',
    accountId: '222222222222',
    region: 'us-east-2',
    environment: 'staging',
    annotations: {
      'meter-siem.io/capacity-mode': 'ON_DEMAND',
      'meter-siem.io/stream-status': 'CREATING',
    },
  }),
  integrationEntity({
    name: 'lab',
    owner: 'group:default/network',
    accountId: '111111111111',
    region: 'us-east-2',
    environment: 'staging',
  }),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'meter-siem-hq-stream' },
    spec: { type: 'kinesis-stream', owner: 'group:default/security' },
  },
  // The owners, as the org's catalog file has them: security with a display
  // name, network without.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'security', namespace: 'default' },
    spec: {
      type: 'team',
      profile: { displayName: 'Security Operations' },
      children: [],
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'network', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
];

// Where the scaffolder mounts a template's page (its `selectedTemplate`).
const templateRoutes = {
  '/create/templates/:namespace/:templateName': createIntegrationRouteRef,
};

function render(options: { entities?: Entity[]; route?: string } = {}) {
  return renderInTestApp(<IntegrationsPage />, {
    apis: [catalogApiMock({ entities: options.entities ?? entities })],
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': entityRouteRef,
      ...templateRoutes,
    },
    mountPath: '/meter-siem/integrations',
    initialRouteEntries: [options.route ?? '/meter-siem/integrations'],
  });
}

function integrationRows() {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('rowheader')[0].textContent);
}

async function choose(label: string, option: string) {
  const select = screen.getByRole('button', { name: new RegExp(label) });
  await userEvent.click(select);
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('IntegrationsPage', () => {
  it('lists the integrations of the catalog, and nothing else', async () => {
    render();

    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
    expect(integrationRows()).toEqual([
      'Meter SIEM branchbranch-222222222222',
      'Meter SIEM hqhq-111111111111',
      'Meter SIEM lablab-111111111111',
    ]);
    expect(screen.queryByText('meter-siem-hq-stream')).not.toBeInTheDocument();

    const hq = screen.getByText('Meter SIEM hq').closest('[role="row"]')!;
    for (const text of [
      'Security Operations',
      '111111111111',
      'eu-west-1',
      'production',
      'Provisioned, 2 shards',
      '168 h (7 d) retention',
      'KMS, AWS managed key',
      'ACTIVE',
    ]) {
      expect(within(hq as HTMLElement).getByText(text)).toBeInTheDocument();
    }
    const branch = screen
      .getByText('Meter SIEM branch')
      .closest('[role="row"]')!;
    expect(
      within(branch as HTMLElement).getByText('On-demand'),
    ).toBeInTheDocument();
    expect(
      within(branch as HTMLElement).getByText('CREATING'),
    ).toBeInTheDocument();
    // An owner without a display name keeps its short ref.
    expect(
      within(branch as HTMLElement).getByRole('link', { name: 'network' }),
    ).toBeInTheDocument();
    const create = screen.getByRole('link', {
      name: 'Create a SIEM integration',
    });
    expect(create).toHaveAttribute(
      'href',
      '/create/templates/default/meter-siem-integration',
    );
    // A button, not a bare link: BUI's solid primary variant.
    expect(create).toHaveClass('bui-ButtonLink');
    expect(create).toHaveAttribute('data-variant', 'primary');
  });

  it('shows every header and value whole, wrapping rather than cutting', async () => {
    render();
    await screen.findByText('Meter SIEM hq');

    expect(
      screen.getAllByRole('columnheader').map(header => header.textContent),
    ).toEqual([
      'Integration',
      'Owner',
      'Account',
      'Environment',
      'Capacity',
      'Encryption',
      'Status',
    ]);
    // BUI's CellText cuts its text to one line; these cells wrap instead,
    // and no text of the table is left to a title attribute.
    const table = screen.getByRole('grid');
    expect(table.querySelector('.bui-TableCellContent')).toBeNull();
    expect(table.querySelector('[title]')).toBeNull();
  });

  it('says the encryption in words', async () => {
    render({
      entities: [
        integrationEntity({
          name: 'hq',
          annotations: { 'meter-siem.io/encryption': 'KMS_CUSTOMER_KEY' },
        }),
        integrationEntity({
          name: 'lab',
          annotations: { 'meter-siem.io/encryption': 'NONE' },
        }),
      ],
    });
    expect(await screen.findByText('KMS, customer key')).toBeInTheDocument();
    expect(screen.getByText('None')).toBeInTheDocument();
  });

  it('filters, sorts and searches owners by their display names', async () => {
    render({ route: '/meter-siem/integrations?q=operations' });
    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
    await waitFor(() =>
      expect(integrationRows()).toEqual(['Meter SIEM hqhq-111111111111']),
    );

    await userEvent.clear(screen.getByRole('searchbox', { name: 'Search' }));
    // The filter shows the display name; the address keeps the short ref.
    await choose('Owner', 'Security Operations');
    await waitFor(() =>
      expect(integrationRows()).toEqual(['Meter SIEM hqhq-111111111111']),
    );
  }, 30_000);

  it('keeps the short refs when the owners cannot be read', async () => {
    renderInTestApp(<IntegrationsPage />, {
      apis: [
        catalogApiMock.mock({
          getEntities: jest
            .fn()
            .mockResolvedValue({ items: entities.slice(0, 1) }),
          getEntitiesByRefs: jest
            .fn()
            .mockRejectedValue(new Error('catalog is slow')),
        }),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'security' })).toBeInTheDocument();
  });

  it('links each row to its entity page and its owner', async () => {
    render();

    expect(
      await screen.findByRole('link', { name: 'Meter SIEM hq' }),
    ).toHaveAttribute('href', '/catalog/default/resource/hq-111111111111');
    expect(
      screen.getByRole('link', { name: 'Security Operations' }),
    ).toHaveAttribute('href', '/catalog/default/group/security');
  });

  it('narrows the rows with the filters', async () => {
    render();
    await screen.findByText('Meter SIEM hq');

    await choose('Owner', 'network');
    await waitFor(() =>
      expect(integrationRows()).toEqual([
        'Meter SIEM branchbranch-222222222222',
        'Meter SIEM lablab-111111111111',
      ]),
    );

    await choose('Account', '111111111111');
    await waitFor(() =>
      expect(integrationRows()).toEqual(['Meter SIEM lablab-111111111111']),
    );

    await choose('Owner', 'All');
    await waitFor(() =>
      expect(integrationRows()).toEqual([
        'Meter SIEM hqhq-111111111111',
        'Meter SIEM lablab-111111111111',
      ]),
    );
  }, 30_000);

  it('reads the filters from the address, so that a filtered view can be shared', async () => {
    render({ route: '/meter-siem/integrations?region=eu-west-1' });

    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
    expect(integrationRows()).toEqual(['Meter SIEM hqhq-111111111111']);
  });

  it('searches names, titles, owners and ARNs, in any case', async () => {
    const { apis } = render();
    await screen.findByText('Meter SIEM hq');
    const search = screen.getByRole('searchbox', { name: 'Search' });

    await userEvent.type(search, 'NETWORK');
    await waitFor(() =>
      expect(integrationRows()).toEqual([
        'Meter SIEM branchbranch-222222222222',
        'Meter SIEM lablab-111111111111',
      ]),
    );
    expect(apis.get(coreApis.appHistory)!.getSnapshot().location.search).toBe(
      '?q=NETWORK',
    );

    await userEvent.clear(search);
    // The stream ARN's account and the role ARN's name.
    await userEvent.type(search, 'kinesis:us-east-2:2222');
    await waitFor(() =>
      expect(integrationRows()).toEqual([
        'Meter SIEM branchbranch-222222222222',
      ]),
    );
    await userEvent.clear(search);
    await userEvent.type(search, 'role/meter-siem-LAB');
    await waitFor(() =>
      expect(integrationRows()).toEqual(['Meter SIEM lablab-111111111111']),
    );
    // The entity name and the title.
    await userEvent.clear(search);
    await userEvent.type(search, 'hq-1111');
    await waitFor(() =>
      expect(integrationRows()).toEqual(['Meter SIEM hqhq-111111111111']),
    );
    await userEvent.clear(search);
    await userEvent.type(search, 'siem branch');
    await waitFor(() =>
      expect(integrationRows()).toEqual([
        'Meter SIEM branchbranch-222222222222',
      ]),
    );

    await userEvent.clear(search);
    await waitFor(() => expect(integrationRows()).toHaveLength(3));
  }, 30_000);

  it('reads the search from the address, together with the filters', async () => {
    render({
      route: '/meter-siem/integrations?q=network&account=111111111111',
    });

    expect(await screen.findByText('Meter SIEM lab')).toBeInTheDocument();
    expect(integrationRows()).toEqual(['Meter SIEM lablab-111111111111']);
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveValue(
      'network',
    );
  });

  it('shows the first page of matches when the search changes', async () => {
    const many = Array.from({ length: 45 }, (_, i) =>
      integrationEntity({
        name: `site${String(i).padStart(2, '0')}`,
        owner: i % 2 ? 'group:default/network' : 'group:default/security',
      }),
    );
    render({ entities: many });
    await screen.findByText('Meter SIEM site00');
    await userEvent.click(screen.getByRole('button', { name: /next/i }));
    expect(await screen.findByText('Meter SIEM site20')).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search' }),
      'security',
    );
    expect(await screen.findByText('Meter SIEM site00')).toBeInTheDocument();
    expect(integrationRows()).toHaveLength(20);
  }, 30_000);

  it('says when no integration matches the search', async () => {
    render({ route: '/meter-siem/integrations?q=nothing-like-this' });

    expect(
      await screen.findByText(
        'No integration matches this search and these filters.',
      ),
    ).toBeInTheDocument();
  });

  it('says when no integration matches the filters', async () => {
    render({ route: '/meter-siem/integrations?environment=sandbox' });

    expect(
      await screen.findByText('No integration matches these filters.'),
    ).toBeInTheDocument();
  });

  it('explains how to create the first integration', async () => {
    render({ entities: [] });

    expect(
      await screen.findByText('No SIEM integrations yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Create a SIEM integration' }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/meter-siem-integration',
    );
  });

  it('offers no create link in an app without the scaffolder', async () => {
    renderInTestApp(<IntegrationsPage />, {
      apis: [catalogApiMock({ entities })],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: 'Create a SIEM integration' }),
    ).not.toBeInTheDocument();
  });

  it('shows a catalog error', async () => {
    renderInTestApp(<IntegrationsPage />, {
      apis: [
        catalogApiMock.mock({
          getEntities: jest
            .fn()
            .mockRejectedValue(new Error('catalog is down')),
        }),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });

    expect(
      await screen.findByText(
        'Could not load the SIEM integrations from the catalog',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('catalog is down')).toBeInTheDocument();
  });
});
