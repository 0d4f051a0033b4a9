import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { meterSiemApiRef } from '../../api';
import { auditFindingsEntityCard } from '../../plugin';
import { integrationEntity } from '../../testing/integrationEntity';
import { finding, mockMeterSiemApi } from '../../testing/findings';
import { NO_ENTITY_FINDINGS } from './FindingsCard';

const findings = [
  finding({
    id: 'f1',
    ruleId: 'trust-without-external-id',
    severity: 'critical',
    title: 'Role trusts Meter without an external ID',
    message: 'The trust policy has no sts:ExternalId condition.',
    remedy: 'Add the condition StringEquals sts:ExternalId.',
    resource: 'role',
    resourceArn: 'arn:aws:iam::123456789012:role/meter-siem-hq',
    entityRef: 'resource:default/hq-123456789012',
  }),
  finding({
    id: 'f2',
    title: 'Environment tag missing',
    ruleId: 'required-tag-missing',
    severity: 'low',
    message: 'The stream has no environment tag.',
    remedy: 'Run the Fix ownership tags template.',
    entityRef: 'resource:default/hq-123456789012',
  }),
  finding({
    id: 'f3',
    title: 'Finding of another integration',
    entityRef: 'resource:default/branch-123456789012',
  }),
];

function render(api = mockMeterSiemApi(findings)) {
  renderTestApp({
    extensions: [
      createTestEntityPage({ entity: integrationEntity({ name: 'hq' }) }),
      auditFindingsEntityCard,
    ],
    apis: [[meterSiemApiRef, api]],
  });
  return api;
}

describe('FindingsCard', () => {
  it("shows the integration's own findings with their remedies", async () => {
    const api = render();

    expect(
      await screen.findByText('Role trusts Meter without an external ID'),
    ).toBeInTheDocument();
    expect(api.getFindings).toHaveBeenCalledWith({
      entityRef: 'resource:default/hq-123456789012',
    });
    const items = within(
      screen.getByRole('list', { name: 'Findings of this integration' }),
    ).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const first = within(items[0]);
    expect(first.getByText('Critical')).toBeInTheDocument();
    expect(
      first.getByText('trust-without-external-id, on the role'),
    ).toBeInTheDocument();
    expect(
      first.getByText('The trust policy has no sts:ExternalId condition.'),
    ).toBeInTheDocument();
    expect(items[0]).toHaveTextContent(
      'Remedy: Add the condition StringEquals sts:ExternalId.',
    );
    expect(
      first.getByText('arn:aws:iam::123456789012:role/meter-siem-hq'),
    ).toBeInTheDocument();
    expect(
      within(items[1]).getByText('Environment tag missing'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Finding of another integration'),
    ).not.toBeInTheDocument();
  });

  it('says when the integration has no findings', async () => {
    render(mockMeterSiemApi([]));

    expect(await screen.findByText(NO_ENTITY_FINDINGS)).toBeInTheDocument();
    expect(screen.getByText('Audit findings')).toBeInTheDocument();
  });

  it('shows an error of the backend, and tries again', async () => {
    const api = mockMeterSiemApi(findings);
    api.getFindings.mockRejectedValueOnce(new Error('backend is down'));
    render(api);

    expect(
      await screen.findByText('Could not load the audit findings'),
    ).toBeInTheDocument();
    expect(screen.getByText('backend is down')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('Environment tag missing'),
    ).toBeInTheDocument();
  });

  it('is shown only on integration entities', async () => {
    const entity = {
      ...integrationEntity({ name: 'hq' }),
      spec: { type: 'kinesis-stream', owner: 'group:default/security' },
    };
    const sentinelCard = EntityCardBlueprint.make({
      name: 'sentinel',
      params: { loader: async () => <div>sentinel card</div> },
    });
    const api = mockMeterSiemApi(findings);
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity }),
        sentinelCard,
        auditFindingsEntityCard,
      ],
      apis: [[meterSiemApiRef, api]],
    });

    expect(await screen.findByText('sentinel card')).toBeInTheDocument();
    expect(screen.queryByText('Audit findings')).not.toBeInTheDocument();
    expect(api.getFindings).not.toHaveBeenCalled();
  });
});
