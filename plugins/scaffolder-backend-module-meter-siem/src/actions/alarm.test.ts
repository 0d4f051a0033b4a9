import {
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  resolveSettings,
  silenceAlarmParameters,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import { startScaffolder } from '../__testUtils__/backend';
import { provisionIntegration } from '../__testUtils__/integration';
import { actionContext } from '../__testUtils__/moto';
import { SAM } from '../__testUtils__/org';
import { createApplyAlarmAction } from './applyAlarm';
import { createAlarmAction } from './createAlarm';

jest.setTimeout(60_000);

const settings = resolveSettings();

describe('the alarm on silence', () => {
  let made: Awaited<ReturnType<typeof provisionIntegration>>;
  beforeAll(async () => {
    made = await provisionIntegration();
  });

  const streamName = () => `meter-siem-${made.name}`;
  const alarmOf = async () =>
    (
      await made.sdk.cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: [`${streamName()}-no-events`],
        }),
      )
    ).MetricAlarms ?? [];
  const topic = (name: string) =>
    `arn:aws:sns:${made.region}:${made.accountId}:${name}`;
  const target = () => ({
    name: made.name,
    region: made.region,
    accountId: made.accountId,
    owner: 'group:default/security',
    environment: 'production',
    streamArn: made.streamArn,
  });

  it("is created by the create template's step with the guide's exact definition and tags", async () => {
    const action = createAlarmAction(made.actionOptions);
    const { ctx, outputs } = actionContext({
      ...target(),
      alarmTopicArn: topic('oncall'),
    });
    await action.handler(ctx);
    const [alarm] = await alarmOf();
    expect(outputs.alarmArn).toBe(alarm.AlarmArn);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Kinesis',
      MetricName: 'IncomingRecords',
      Dimensions: [{ Name: 'StreamName', Value: streamName() }],
      Statistic: 'Sum',
      Period: 600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topic('oncall')],
    });
    const { Tags } = await made.sdk.cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn }),
    );
    expect(tagsToRecord(Tags)).toEqual({
      owner: 'group:default/security',
      environment: 'production',
      'managed-by': 'backstage',
      [settings.tagKeys.integration]: made.name,
    });

    // A re-run reuses it.
    const again = actionContext({
      ...target(),
      alarmTopicArn: topic('oncall'),
    });
    await action.handler(again.ctx);
    expect(again.logs.join('\n')).toContain('already exists as wanted');
  });

  it('is pointed at another topic by the alarm template, and only by the owning team', async () => {
    const action = createApplyAlarmAction(made.actionOptions);
    const sam = actionContext(
      { integration: made.entityRef, alarmTopicArn: topic('other') },
      { userRef: SAM },
    );
    await expect(action.handler(sam.ctx)).rejects.toThrow(
      /Not allowed to add an alarm to/,
    );
    expect((await alarmOf())[0].AlarmActions).toEqual([topic('oncall')]);

    const dry = actionContext(
      { integration: made.entityRef, alarmTopicArn: topic('other') },
      { isDryRun: true },
    );
    await action.handler(dry.ctx);
    expect(dry.logs.join('\n')).toContain(
      `Dry run: would create or update CloudWatch alarm ${streamName()}-no-events`,
    );
    expect((await alarmOf())[0].AlarmActions).toEqual([topic('oncall')]);

    const { ctx, outputs } = actionContext({
      integration: made.entityRef,
      alarmTopicArn: topic('other'),
    });
    await action.handler(ctx);
    expect(outputs.changed).toBe(true);
    expect((await alarmOf())[0].AlarmActions).toEqual([topic('other')]);
  });

  it('refuses a topic of another region or no topic ARN, naming the field', async () => {
    const action = createApplyAlarmAction(made.actionOptions);
    for (const alarmTopicArn of [
      'arn:aws:sns:us-east-1:123456789012:oncall',
      'oncall',
    ]) {
      const { ctx } = actionContext({
        integration: made.entityRef,
        alarmTopicArn,
      });
      await expect(action.handler(ctx)).rejects.toThrow(
        /Invalid input: alarmTopicArn must be/,
      );
    }
    expect((await alarmOf())[0].AlarmActions).toEqual([topic('other')]);
  });

  it('never touches an alarm of that name made by someone else', async () => {
    const other = await provisionIntegration();
    const name = `meter-siem-${other.name}-no-events`;
    await other.sdk.cloudwatch.send(
      new PutMetricAlarmCommand({
        ...silenceAlarmParameters(`meter-siem-${other.name}`),
        Period: 60,
      }),
    );
    const { ctx } = actionContext({
      integration: other.entityRef,
      alarmTopicArn: `arn:aws:sns:${other.region}:${other.accountId}:x`,
    });
    await expect(
      createApplyAlarmAction(other.actionOptions).handler(ctx),
    ).rejects.toThrow(/CloudWatch alarm named .* was not created by Backstage/);
    const { MetricAlarms = [] } = await other.sdk.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [name] }),
    );
    expect(MetricAlarms[0]).toMatchObject({ Period: 60, AlarmActions: [] });
  });

  it('is added by the template meter-siem-alarm through the scaffolder API', async () => {
    const fresh = await provisionIntegration();
    const scaffolder = await startScaffolder([], {
      entities: fresh.entities,
      config: { aws: fresh.aws },
    });
    try {
      const result = await scaffolder.run(
        { integration: fresh.entityRef },
        'template:default/meter-siem-alarm',
      );
      expect(result.task?.status).toBe('completed');
      const { MetricAlarms = [] } = await fresh.sdk.cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: [`meter-siem-${fresh.name}-no-events`],
        }),
      );
      expect(MetricAlarms).toHaveLength(1);
      expect(MetricAlarms[0].ActionsEnabled).toBe(false);
    } finally {
      await scaffolder.backend.stop();
    }
  });
});
