import { PATTERNS } from './limits';
import { ValidationIssue } from './validation';

/**
 * The "no events" alarm Meter's guide recommends ("Create CloudWatch alarms
 * to alert when no events are received for 10+ minutes"): the stream's
 * IncomingRecords summed over 10 minutes below 1, missing data breaching
 * (a stream nobody writes to reports no data point at all).
 *
 * @public
 */
export const SILENCE_ALARM = {
  namespace: 'AWS/Kinesis',
  metricName: 'IncomingRecords',
  statistic: 'Sum',
  periodSeconds: 600,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: 'LessThanThreshold',
  treatMissingData: 'breaching',
} as const;

/**
 * The alarm's name: the stream's, so that it sorts beside it in the
 * console and is unique per account and region as the stream is.
 *
 * @public
 */
export function silenceAlarmName(streamName: string): string {
  return `${streamName}-no-events`;
}

/**
 * The PutMetricAlarm parameters of an integration's silence alarm (without
 * its tags), notifying the SNS topics given when the alarm fires.
 *
 * @public
 */
export function silenceAlarmParameters(
  streamName: string,
  topicArns: string[] = [],
) {
  return {
    AlarmName: silenceAlarmName(streamName),
    AlarmDescription: `No Meter events reached Kinesis stream ${streamName} for 10 minutes: check the integration's status in Meter's Dashboard (Unauthorized means the role or external ID no longer matches).`,
    Namespace: SILENCE_ALARM.namespace,
    MetricName: SILENCE_ALARM.metricName,
    Dimensions: [{ Name: 'StreamName', Value: streamName }],
    Statistic: SILENCE_ALARM.statistic,
    Period: SILENCE_ALARM.periodSeconds,
    EvaluationPeriods: SILENCE_ALARM.evaluationPeriods,
    Threshold: SILENCE_ALARM.threshold,
    ComparisonOperator: SILENCE_ALARM.comparisonOperator,
    TreatMissingData: SILENCE_ALARM.treatMissingData,
    ActionsEnabled: topicArns.length > 0,
    AlarmActions: topicArns,
    OKActions: topicArns,
  };
}

/**
 * A CloudWatch alarm on a stream's IncomingRecords, as the catalog provider
 * read it.
 *
 * @public
 */
export interface SilenceAlarmFacts {
  name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`. */
  state?: string;
  stateUpdatedAt?: string;
  /** The SNS topics (or other actions) it notifies when it fires. */
  actions: string[];
  /**
   * It fires within 10 minutes of silence: Sum of IncomingRecords below 1
   * (or at most 0) over at most 10 minutes, missing data breaching.
   */
  catchesSilence: boolean;
}

/**
 * The fields of a DescribeAlarms entry the rule below reads.
 *
 * @public
 */
export interface MetricAlarmLike {
  AlarmName?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Array<{ Name?: string; Value?: string }>;
  Statistic?: string;
  Period?: number;
  EvaluationPeriods?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  StateValue?: string;
  StateUpdatedTimestamp?: Date;
  AlarmActions?: string[];
}

/**
 * The stream a metric alarm watches the IncomingRecords of, or `undefined`
 * for any other alarm.
 *
 * @public
 */
export function incomingRecordsStream(
  alarm: MetricAlarmLike,
): string | undefined {
  if (
    alarm.Namespace !== SILENCE_ALARM.namespace ||
    alarm.MetricName !== SILENCE_ALARM.metricName
  ) {
    return undefined;
  }
  const dimensions = alarm.Dimensions ?? [];
  // A per-shard alarm (ShardId dimension) does not see the whole stream.
  if (dimensions.length !== 1 || dimensions[0].Name !== 'StreamName') {
    return undefined;
  }
  return dimensions[0].Value;
}

/**
 * What the catalog records of an IncomingRecords alarm: whether it would
 * fire after 10 minutes without events, and whom it tells.
 *
 * @public
 */
export function silenceAlarmFacts(alarm: MetricAlarmLike): SilenceAlarmFacts {
  const period = (alarm.Period ?? 0) * (alarm.EvaluationPeriods ?? 1);
  const threshold = alarm.Threshold ?? Number.NaN;
  const below =
    (alarm.ComparisonOperator === 'LessThanThreshold' && threshold >= 1) ||
    (alarm.ComparisonOperator === 'LessThanOrEqualToThreshold' &&
      threshold >= 0);
  return {
    name: alarm.AlarmName ?? '',
    ...(alarm.StateValue && { state: alarm.StateValue }),
    ...(alarm.StateUpdatedTimestamp && {
      stateUpdatedAt: new Date(alarm.StateUpdatedTimestamp).toISOString(),
    }),
    actions: alarm.AlarmActions ?? [],
    catchesSilence:
      alarm.Statistic === 'Sum' &&
      below &&
      period > 0 &&
      period <= SILENCE_ALARM.periodSeconds &&
      alarm.TreatMissingData === 'breaching',
  };
}

/**
 * The alarm to show for a stream among those watching it: one that catches
 * silence first, ours (by name) before others.
 *
 * @public
 */
export function pickSilenceAlarm(
  streamName: string,
  alarms: SilenceAlarmFacts[],
): SilenceAlarmFacts | undefined {
  const ours = silenceAlarmName(streamName);
  return [...alarms].sort(
    (a, b) =>
      Number(b.catchesSilence) - Number(a.catchesSilence) ||
      Number(b.name === ours) - Number(a.name === ours) ||
      a.name.localeCompare(b.name),
  )[0];
}

/**
 * The SNS topic an alarm notifies: an SNS topic ARN in the alarm's region
 * (CloudWatch notifies topics of its own region only).
 *
 * @public
 */
export function validateAlarmTopic(
  topicArn: string | undefined,
  region: string | undefined,
  field = 'alarmTopicArn',
): ValidationIssue[] {
  if (!topicArn) return [];
  const match = PATTERNS.snsTopicArn.exec(topicArn);
  if (!match) {
    return [
      {
        field,
        message:
          'must be an SNS topic ARN, e.g. arn:aws:sns:us-east-1:123456789012:meter-siem-alerts',
      },
    ];
  }
  if (region && match[1] !== region) {
    return [
      {
        field,
        message: `must be a topic in the stream's region ${region} (CloudWatch alarms notify topics of their own region), not ${match[1]}`,
      },
    ];
  }
  return [];
}
