import {
  incomingRecordsStream,
  pickSilenceAlarm,
  silenceAlarmFacts,
  silenceAlarmName,
  silenceAlarmParameters,
  validateAlarmTopic,
} from './alarms';

describe('the silence alarm', () => {
  const ours = silenceAlarmParameters('meter-siem-hq', [
    'arn:aws:sns:eu-west-1:123456789012:oncall',
  ]);

  it('is Sum of IncomingRecords < 1 over 10 minutes, missing data breaching', () => {
    expect(ours).toMatchObject({
      AlarmName: 'meter-siem-hq-no-events',
      Namespace: 'AWS/Kinesis',
      MetricName: 'IncomingRecords',
      Dimensions: [{ Name: 'StreamName', Value: 'meter-siem-hq' }],
      Statistic: 'Sum',
      Period: 600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      ActionsEnabled: true,
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:oncall'],
    });
    expect(silenceAlarmParameters('s').ActionsEnabled).toBe(false);
    expect(silenceAlarmFacts(ours).catchesSilence).toBe(true);
    expect(incomingRecordsStream(ours)).toBe('meter-siem-hq');
  });

  it.each([
    ['a longer period', { Period: 3600 }],
    ['three periods of 10 minutes', { EvaluationPeriods: 3 }],
    ['missing data not breaching', { TreatMissingData: 'notBreaching' }],
    ['an average', { Statistic: 'Average' }],
    ['a "greater than" alarm', { ComparisonOperator: 'GreaterThanThreshold' }],
    ['a threshold of 0 with "<"', { Threshold: 0 }],
  ])('does not catch silence with %s', (_, change) => {
    expect(silenceAlarmFacts({ ...ours, ...change }).catchesSilence).toBe(
      false,
    );
  });

  it('accepts "<= 0" and two periods of 5 minutes', () => {
    expect(
      silenceAlarmFacts({
        ...ours,
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        Threshold: 0,
        Period: 300,
        EvaluationPeriods: 2,
      }).catchesSilence,
    ).toBe(true);
  });

  it('reads only whole-stream IncomingRecords alarms', () => {
    expect(
      incomingRecordsStream({ ...ours, MetricName: 'IncomingBytes' }),
    ).toBeUndefined();
    expect(
      incomingRecordsStream({
        ...ours,
        Dimensions: [
          { Name: 'StreamName', Value: 's' },
          { Name: 'ShardId', Value: 'shardId-0' },
        ],
      }),
    ).toBeUndefined();
  });

  it('shows the alarm that catches silence, ours first', () => {
    const other = { name: 'a-other', actions: [], catchesSilence: true };
    const mine = {
      name: silenceAlarmName('s'),
      actions: [],
      catchesSilence: true,
    };
    const weak = { name: '0-weak', actions: [], catchesSilence: false };
    expect(pickSilenceAlarm('s', [weak, other, mine])).toBe(mine);
    expect(pickSilenceAlarm('s', [weak, other])).toBe(other);
    expect(pickSilenceAlarm('s', [])).toBeUndefined();
  });
});

describe('validateAlarmTopic', () => {
  it('takes no topic, or an SNS topic ARN of the region', () => {
    expect(validateAlarmTopic(undefined, 'eu-west-1')).toEqual([]);
    expect(
      validateAlarmTopic(
        'arn:aws:sns:eu-west-1:123456789012:oncall',
        'eu-west-1',
      ),
    ).toEqual([]);
  });

  it('names the field and the rule', () => {
    expect(validateAlarmTopic('oncall', 'eu-west-1')).toEqual([
      {
        field: 'alarmTopicArn',
        message: expect.stringMatching(/^must be an SNS topic ARN/),
      },
    ]);
    expect(
      validateAlarmTopic(
        'arn:aws:sns:us-east-1:123456789012:oncall',
        'eu-west-1',
      ),
    ).toEqual([
      {
        field: 'alarmTopicArn',
        message: expect.stringMatching(/region eu-west-1 .* not us-east-1/),
      },
    ]);
  });
});
