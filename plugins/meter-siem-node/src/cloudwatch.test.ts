import {
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { ConfigReader } from '@backstage/config';
import { AwsClientFactory } from './clients';

// The CloudWatch client's default protocol against the emulator the tests
// and `./scripts/start.sh` use (AWS_ENDPOINT_URL): alarms written and read
// back, metrics read.
describe('CloudWatch client against moto', () => {
  it('writes and reads an alarm and reads a metric', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({ meterSiem: { awsClient: { maxAttempts: 1 } } }),
      'test',
    );
    const aws = await factory.forAccount({ region: 'eu-west-1' });
    const AlarmName = `pairing-${Date.now()}`;
    await aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName,
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Dimensions: [{ Name: 'StreamName', Value: 'pairing' }],
        Statistic: 'Sum',
        Period: 600,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        Tags: [{ Key: 'managed-by', Value: 'backstage' }],
      }),
    );
    const { MetricAlarms = [] } = await aws.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [AlarmName] }),
    );
    expect(MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName,
        Threshold: 1,
        Period: 600,
        TreatMissingData: 'breaching',
      }),
    ]);
    const stats = await aws.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Dimensions: [{ Name: 'StreamName', Value: 'pairing' }],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(),
        Period: 3600,
        Statistics: ['Sum'],
      }),
    );
    expect(stats.Datapoints ?? []).toEqual([]);
  });
});
