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
