import { screen } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { ANNOTATIONS } from '@internal/backstage-plugin-meter-siem-common';
import userEvent from '@testing-library/user-event';
import { meterSiemApiRef } from '../../api';
import { readIntegration } from '../../integration';
import { mockMeterSiemApi } from '../../testing/findings';
import { createIntegrationRouteRef } from '../../routes';
import { integrationEntity } from '../../testing/integrationEntity';
import { AlarmState, DayTwo } from './DayTwo';

type Decision = Exclude<
  NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize'],
  Function | undefined
>;

let renderApi: ReturnType<typeof mockMeterSiemApi>;

// usePermission caches its answers by entity: each test has an entity of
// its own.
function render(
  facts: object,
  authorize: Decision = 'ALLOW' as Decision,
  name = 'hq',
) {
  const entity = integrationEntity({
    name,
    annotations: { [ANNOTATIONS.auditFacts]: JSON.stringify(facts) },
  });
  const view = readIntegration(entity);
  const api = mockMeterSiemApi([]);
  api.verifyDelivery.mockResolvedValue({
    status: 'Verified',
    testEvent: { id: 'evt-1', time: '2026-11-28T11:00:00.000Z' },
    latestEvent: {
      id: 'evt-1',
      type: 'TYPE_TEST',
      time: '2026-11-28T11:00:00.000Z',
    },
    incomingRecordsLastHour: 1,
    readSince: '2026-11-28T10:30:00.000Z',
    shardsRead: 1,
    recordsRead: 1,
    skippedRecords: 0,
    caughtUp: true,
  } as any);
  renderApi = api;
  return renderInTestApp(
    <>
      <AlarmState view={view} />
      <DayTwo view={view} />
    </>,
    {
      apis: [mockApis.permission({ authorize }), [meterSiemApiRef, api]],
      mountedRoutes: {
        '/create/templates/:namespace/:templateName': createIntegrationRouteRef,
      },
    },
  );
}

const base = {
  streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/meter-siem-hq',
  streamTags: {},
  roleArn: 'arn:aws:iam::123456789012:role/meter-siem-hq',
  trust: { trustsMeter: true, hasExternalIdCondition: true },
};
const entityRef = 'resource:default/hq-123456789012';

jest.setTimeout(20_000);

describe('DayTwo', () => {
  it('links the owning team to each day-two template, the integration filled in', async () => {
    await render({ ...base, silenceAlarm: null });
    for (const [label, template] of [
      ['Verify delivery', 'meter-siem-verify-delivery'],
      ['Alarm when events stop', 'meter-siem-alarm'],
      ['Resize or reconfigure', 'meter-siem-update'],
      ['Rotate the external ID', 'meter-siem-rotate-external-id'],
      ['Decommission', 'meter-siem-decommission'],
    ]) {
      const href = (
        await screen.findByRole('link', { name: label })
      ).getAttribute('href')!;
      const url = new URL(href, 'http://localhost');
      expect(url.pathname).toBe(`/create/templates/default/${template}`);
      expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
        integration: entityRef,
      });
    }
    expect(screen.getByText('None')).toBeInTheDocument();
  });

  it("checks delivery on the owning team's request and shows the status", async () => {
    await render(base, 'ALLOW' as Decision, 'hq3');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Check delivery' }),
    );
    expect(
      await screen.findByText(/^Verified: Meter's test event arrived at/),
    ).toBeInTheDocument();
    expect(screen.getByText(/test event evt-1 of/)).toBeInTheDocument();
    expect(renderApi.verifyDelivery).toHaveBeenCalledWith(
      'resource:default/hq3-123456789012',
    );
  });

  it('tells other teams who may act, with no links', async () => {
    await render(base, 'DENY' as Decision, 'lab');
    expect(
      await screen.findByText(/Only the owning team can verify/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Check delivery' }),
    ).not.toBeInTheDocument();
  });

  it('shows the alarm state and a rotation left half-done, with the step that finishes it', async () => {
    await render(
      {
        ...base,
        silenceAlarm: {
          name: 'meter-siem-hq-no-events',
          state: 'ALARM',
          actions: ['arn:aws:sns:eu-west-1:123456789012:oncall'],
          catchesSilence: true,
        },
        trust: {
          ...base.trust,
          externalIdCount: 2,
          rotationStartedAt: '2026-11-27T10:00:00.000Z',
        },
      },
      'DENY' as Decision,
      'hq2',
    );
    expect(
      await screen.findByText(
        'ALARM: no events for 10 minutes, notifies 1 topic',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/External ID rotation in progress since/),
    ).toBeInTheDocument();
    const finish = screen.getByRole('link', { name: 'finish the rotation' });
    const url = new URL(finish.getAttribute('href')!, 'http://localhost');
    expect(JSON.parse(url.searchParams.get('formData')!)).toEqual({
      integration: 'resource:default/hq2-123456789012',
      step: 'finish',
    });
  });
});
