import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { MeterSiemApi, meterSiemApiRef } from '../../api';
import {
  auditRouteRef,
  createIntegrationRouteRef,
  integrationsRouteRef,
} from '../../routes';
import { finding, mockMeterSiemApi } from '../../testing/findings';
import { integrationEntity } from '../../testing/integrationEntity';
import { HomePage } from './HomePage';

/** An integration entity as the catalog serves it, with its `ownedBy`. */
function owned(name: string, owner: string, status = 'ACTIVE'): Entity {
  const entity = integrationEntity({
    name,
    owner,
    annotations: { 'meter-siem.io/stream-status': status },
  });
  return { ...entity, relations: [{ type: 'ownedBy', targetRef: owner }] };
}

const entities: Entity[] = [
  owned('hq', 'group:default/security'),
  owned('lab', 'group:default/security', 'CREATING'),
  owned('branch', 'group:default/network'),
  // The team's, but no integration.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'meter-siem-hq-stream', namespace: 'default' },
    spec: { type: 'kinesis-stream', owner: 'group:default/security' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/security' }],
  },
  // The team, named as people know it.
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
];

const findings = [
  finding({ id: 'f1', severity: 'critical', mine: true }),
  finding({ id: 'f2', severity: 'medium', mine: true }),
  finding({ id: 'f3', severity: 'medium', mine: true }),
  finding({
    id: 'f4',
    severity: 'high',
    owner: 'group:default/network',
    entityRef: 'resource:default/branch-123456789012',
  }),
];

const JANE = {
  userEntityRef: 'user:default/jane.doe',
  ownershipEntityRefs: ['user:default/jane.doe', 'group:default/security'],
};

function render(
  options: {
    identity?: typeof JANE;
    api?: MeterSiemApi;
  } = {},
) {
  const api = options.api ?? mockMeterSiemApi(findings);
  renderInTestApp(<HomePage />, {
    apis: [
      catalogApiMock({ entities }),
      mockApis.identity(options.identity ?? JANE),
      [meterSiemApiRef, api],
    ],
    mountedRoutes: {
      '/catalog/:namespace/:kind/:name': entityRouteRef,
      '/create/templates/:namespace/:templateName': createIntegrationRouteRef,
      '/meter-siem/integrations': integrationsRouteRef,
      '/meter-siem/audit': auditRouteRef,
    },
  });
  return api;
}

describe('HomePage', () => {
  it('says what the portal does and links to the create template', async () => {
    render();

    expect(
      screen.getByText(/creates Meter SIEM integrations on AWS/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Create a SIEM integration' }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/meter-siem-integration',
    );
    expect(
      screen.getByRole('link', { name: 'All SIEM integrations' }),
    ).toHaveAttribute('href', '/meter-siem/integrations');
    // Let the cards settle.
    expect(await screen.findByText('Meter SIEM hq')).toBeInTheDocument();
  });

  it("lists the integrations of the user's teams, and only those", async () => {
    render();

    const card = screen.getByRole('region', { name: "My team's integrations" });
    const hq = await within(card).findByRole('link', { name: 'Meter SIEM hq' });
    expect(hq).toHaveAttribute(
      'href',
      '/catalog/default/resource/hq-123456789012',
    );
    expect(
      within(card).getByRole('link', { name: 'Meter SIEM lab' }),
    ).toBeInTheDocument();
    expect(within(card).getByText('CREATING')).toBeInTheDocument();
    expect(
      await within(card).findByText(
        '2 integrations owned by Security Operations',
      ),
    ).toBeInTheDocument();
    expect(within(card).queryByText('Meter SIEM branch')).toBeNull();
    expect(within(card).queryByText(/hq-stream/)).toBeNull();
    expect(
      within(card).getByRole('link', { name: 'Open SIEM integrations' }),
    ).toHaveAttribute('href', '/meter-siem/integrations?owner=security');
  });

  it("counts the open findings of the user's teams, by severity", async () => {
    const api = render();

    const card = screen.getByRole('region', { name: 'Open findings' });
    expect(
      await within(card).findByTestId('my-findings-count'),
    ).toHaveTextContent('3');
    expect(api.getFindings).toHaveBeenCalledWith({
      owner: JANE.ownershipEntityRefs,
      limit: 0,
    });
    expect(within(card).getByTestId('my-findings-critical')).toHaveTextContent(
      'Critical1',
    );
    expect(within(card).getByTestId('my-findings-high')).toHaveTextContent(
      'High0',
    );
    expect(within(card).getByTestId('my-findings-medium')).toHaveTextContent(
      'Medium2',
    );
    expect(
      within(card).getByRole('link', { name: 'Open the audit' }),
    ).toHaveAttribute(
      'href',
      '/meter-siem/audit?owner=group%3Adefault%2Fsecurity',
    );
  });

  it('says so when the team owns nothing and has no findings', async () => {
    render({
      identity: {
        userEntityRef: 'user:default/guest',
        ownershipEntityRefs: ['user:default/guest', 'group:default/guests'],
      },
    });

    expect(
      await screen.findByText('No SIEM integration is owned by guests yet.'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/No open findings: your team's integrations/),
    ).toBeInTheDocument();
  });

  it('shows an error and a retry when the backend does not answer', async () => {
    const api = mockMeterSiemApi(findings);
    api.getFindings
      .mockRejectedValueOnce(
        await ResponseError.fromResponse(
          new Response('unavailable', { status: 503 }) as any,
        ),
      )
      .mockRejectedValueOnce(new TypeError('Failed to fetch'));
    render({ api });

    const card = screen.getByRole('region', { name: 'Open findings' });
    expect(
      await within(card).findByText('Could not load the audit findings'),
    ).toBeInTheDocument();
    await userEvent.click(
      within(card).getByRole('button', { name: 'Try again' }),
    );
    expect(
      await within(card).findByText('Failed to fetch'),
    ).toBeInTheDocument();
    await userEvent.click(
      within(card).getByRole('button', { name: 'Try again' }),
    );
    expect(
      await within(card).findByTestId('my-findings-count'),
    ).toHaveTextContent('3');
    // The rest of the page is there all along.
    expect(
      screen.getByRole('link', { name: 'Create a SIEM integration' }),
    ).toBeInTheDocument();
  });
});
