import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConfigReader } from '@backstage/config';
import { TYPE_TEST } from '@internal/backstage-plugin-meter-siem-common';
import { AccountClients, AwsClientFactory } from './clients';
import { readDelivery } from './delivery';
import { createTestStream, meterCloudEvent } from './testUtils';

jest.setTimeout(30_000);

// Against the moto server of the test command (AWS_ENDPOINT_URL).
const region = 'eu-west-3';
let aws: AccountClients;

beforeAll(async () => {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error('AWS_ENDPOINT_URL is not set: start moto server first');
  }
  aws = await AwsClientFactory.fromConfig(
    new ConfigReader({ meterSiem: { awsClient: { maxAttempts: 1 } } }),
    'test',
  ).forAccount({ region });
});

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const stream = (shardCount: number) =>
  createTestStream({ region, shardCount, prefix: 'delivery' });

const event = (id: string, type: string, time: string) => ({
  ...meterCloudEvent(type),
  id,
  time,
});

describe('readDelivery', () => {
  it('reads every shard from the time given, skipping what is not a CloudEvent', async () => {
    const { name, put } = await stream(3);
    await put(event('too-old', TYPE_TEST, '2026-11-28T09:00:00Z'));
    await sleep(50);
    const since = new Date();
    await sleep(50);
    await put(event('dhcp-1', 'com.meter.dhcp', '2026-11-28T10:00:00Z'));
    await put('not json', 1);
    await put({ hello: 'a JSON record that is no CloudEvent' }, 2);
    await put(event('test-1', TYPE_TEST, '2026-11-28T10:01:00Z'), 2);
    await put(
      event('ids-1', 'com.meter.ids.detection', '2026-11-28T10:02:00Z'),
      1,
    );

    const report = await readDelivery(aws, name, { since });
    expect(report).toEqual({
      status: 'Verified',
      testEvent: { id: 'test-1', time: '2026-11-28T10:01:00Z' },
      latestEvent: {
        id: 'ids-1',
        type: 'com.meter.ids.detection',
        time: '2026-11-28T10:02:00Z',
      },
      incomingRecordsLastHour: 0,
      readSince: since.toISOString(),
      shardsRead: 3,
      recordsRead: 5,
      skippedRecords: 2,
      caughtUp: true,
    });
  });

  it('is Silent on a stream nothing wrote to, and Receiving without a test event', async () => {
    const { name, put } = await stream(1);
    const since = new Date(Date.now() - 60_000);
    expect(await readDelivery(aws, name, { since })).toMatchObject({
      status: 'Silent',
      shardsRead: 1,
      recordsRead: 0,
    });
    await put(event('dhcp-1', 'com.meter.dhcp', '2026-11-28T10:00:00Z'));
    const report = await readDelivery(aws, name, { since });
    expect(report.status).toBe('Receiving');
    expect(report).not.toHaveProperty('testEvent');
  });

  it("sums the stream's IncomingRecords of the last hour", async () => {
    // moto does not publish Kinesis metrics: the test writes the data
    // points Kinesis would, one for another stream and one too old.
    const { name } = await stream(1);
    const now = new Date();
    const point = (streamName: string, minutesAgo: number, value: number) => ({
      MetricName: 'IncomingRecords',
      Dimensions: [{ Name: 'StreamName', Value: streamName }],
      Timestamp: new Date(now.getTime() - minutesAgo * 60_000),
      Value: value,
      Unit: 'Count' as const,
    });
    await aws.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Kinesis',
        MetricData: [
          point(name, 5, 3),
          point(name, 50, 4),
          point(name, 90, 100),
          point(`${name}-other`, 5, 1000),
        ],
      }),
    );
    const report = await readDelivery(aws, name, {
      since: new Date(now.getTime() - 60_000),
      now,
    });
    expect(report.incomingRecordsLastHour).toBe(7);
    expect(report.status).toBe('Receiving');
  });

  it('stops at its bound of calls and says it did not catch up', async () => {
    const { name, put } = await stream(1);
    const since = new Date(Date.now() - 60_000);
    await put(event('first', 'com.meter.dhcp', '2026-11-28T10:00:00Z'));
    await sleep(20);
    await put(event('second', TYPE_TEST, '2026-11-28T10:01:00Z'));
    const bounded = await readDelivery(aws, name, {
      since,
      maxCallsPerShard: 1,
      recordsPerCall: 1,
    });
    expect(bounded).toMatchObject({ recordsRead: 1, caughtUp: false });
    expect(bounded.latestEvent?.id).toBe('first');
    const whole = await readDelivery(aws, name, { since, recordsPerCall: 1 });
    expect(whole).toMatchObject({
      status: 'Verified',
      recordsRead: 2,
      caughtUp: true,
    });
  });

  it('names the call and the stream when the stream is missing', async () => {
    await expect(
      readDelivery(aws, 'delivery-no-such-stream', { since: new Date() }),
    ).rejects.toThrow(
      /kinesis:ListShards on stream delivery-no-such-stream .*failed with ResourceNotFoundException/,
    );
  });
});
