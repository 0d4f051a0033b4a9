import {
  DescribeAlarmsCommand,
  MetricAlarm,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { silenceAlarmParameters } from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  send,
} from '@internal/backstage-plugin-meter-siem-node';
import { EnsureContext, findOrCreate } from './ensure';
import { addMissingTags, alarmTags } from './tags';

type AlarmParameters = ReturnType<typeof silenceAlarmParameters>;

/** Whether an alarm already says what `wanted` says (its actions in any order). */
function sameAlarm(alarm: MetricAlarm, wanted: AlarmParameters): boolean {
  const sorted = (list?: string[]) => [...(list ?? [])].sort().join(',');
  return (
    alarm.Namespace === wanted.Namespace &&
    alarm.MetricName === wanted.MetricName &&
    JSON.stringify(alarm.Dimensions ?? []) ===
      JSON.stringify(wanted.Dimensions) &&
    alarm.Statistic === wanted.Statistic &&
    alarm.Period === wanted.Period &&
    alarm.EvaluationPeriods === wanted.EvaluationPeriods &&
    alarm.Threshold === wanted.Threshold &&
    alarm.ComparisonOperator === wanted.ComparisonOperator &&
    alarm.TreatMissingData === wanted.TreatMissingData &&
    alarm.ActionsEnabled === wanted.ActionsEnabled &&
    sorted(alarm.AlarmActions) === sorted(wanted.AlarmActions) &&
    sorted(alarm.OKActions) === sorted(wanted.OKActions)
  );
}

/**
 * The stream's alarm on silence, made or brought to `topicArns`: created
 * with the integration's tags, or, when it is this integration's, updated
 * in place (PutMetricAlarm replaces an alarm's definition) if it differs,
 * e.g. to notify another topic. An alarm of that name that is not ours is
 * refused untouched.
 */
export async function ensureAlarm(
  aws: AccountClients,
  streamName: string,
  topicArns: string[],
  ctx: EnsureContext,
): Promise<{ arn: string; changed: boolean }> {
  const wanted = silenceAlarmParameters(streamName, topicArns);
  const call = (permission: string) => ({
    permission,
    resource: `alarm ${wanted.AlarmName}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  const put = (tags?: typeof ctx.tags) =>
    send(
      () =>
        aws.cloudwatch.send(
          new PutMetricAlarmCommand({ ...wanted, Tags: tags }),
        ),
      call('cloudwatch:PutMetricAlarm'),
    );
  const { found, tags, adopted } = await findOrCreate(ctx, {
    label: {
      kind: 'CloudWatch alarm',
      name: wanted.AlarmName,
      accountId: aws.accountId,
      region: aws.region,
    },
    find: async () =>
      (
        await send(
          () =>
            aws.cloudwatch.send(
              new DescribeAlarmsCommand({
                AlarmNames: [wanted.AlarmName],
                AlarmTypes: ['MetricAlarm'],
              }),
            ),
          call('cloudwatch:DescribeAlarms'),
        )
      ).MetricAlarms?.[0],
    tagsOf: alarm => alarmTags(aws, alarm.AlarmArn!).read(),
    create: () => put(ctx.tags),
    // PutMetricAlarm answers nothing: the alarm is what was put.
    fromCreate: () => ({
      ...wanted,
      AlarmArn: `arn:aws:cloudwatch:${aws.region}:${aws.accountId}:alarm:${wanted.AlarmName}`,
    }),
    call: call('cloudwatch:PutMetricAlarm'),
  });
  const arn = found.AlarmArn!;
  if (!adopted) return { arn, changed: true };

  await addMissingTags(alarmTags(aws, arn), ctx.tags, tags);
  if (sameAlarm(found, wanted)) {
    ctx.logger.info(`Alarm ${wanted.AlarmName} already exists as wanted`);
    return { arn, changed: false };
  }
  // On an existing alarm AWS ignores the Tags of PutMetricAlarm.
  await put();
  ctx.logger.info(
    `Updated alarm ${wanted.AlarmName} to ${
      topicArns.length ? `notify ${topicArns.join(', ')}` : 'notify nobody'
    }`,
  );
  return { arn, changed: true };
}
