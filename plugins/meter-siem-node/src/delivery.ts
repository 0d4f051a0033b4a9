import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  Shard,
} from '@aws-sdk/client-kinesis';
import {
  DeliveryReport,
  ReadEvent,
  buildDeliveryReport,
  parseCloudEvent,
} from '@internal/backstage-plugin-meter-siem-common';
import { AccountClients, send } from './clients';
import { AwsCallContext } from './errors';

/** Options of {@link readDelivery}. */
export interface ReadDeliveryOptions {
  /** Records the stream received from this time on are read. */
  since: Date;
  /** Ends the read (a cancelled task). */
  signal?: AbortSignal;
  /**
   * GetRecords calls per shard at most (default 20): a busy shard is not
   * read to its end, and the report says so (`caughtUp: false`).
   */
  maxCallsPerShard?: number;
  /** Records per GetRecords call (default 10,000, Kinesis's maximum). */
  recordsPerCall?: number;
  /** The end of the metric's hour (default: now). */
  now?: Date;
}

const HOUR_MS = 3_600_000;

/**
 * Reads what arrived in an integration's stream: every shard from `since`
 * on, and the stream's `IncomingRecords` over the last hour.
 *
 * IAM permissions it needs on the stream, beside those of the account's
 * credentials in general (none of them writes):
 * - `kinesis:ListShards`, `kinesis:GetShardIterator`, `kinesis:GetRecords`
 *   on the stream's ARN;
 * - `cloudwatch:GetMetricStatistics` (resource `*`: CloudWatch takes no
 *   resource for it);
 * - `kms:Decrypt` on the key, when the stream is encrypted with a
 *   customer-managed key (the AWS-managed `alias/aws/kinesis` needs none).
 *
 * Records that are not CloudEvents 1.0 are counted and skipped.
 */
export async function readDelivery(
  aws: Pick<AccountClients, 'kinesis' | 'cloudwatch' | 'accountId' | 'region'>,
  streamName: string,
  options: ReadDeliveryOptions,
): Promise<DeliveryReport> {
  const { since, signal } = options;
  const context = (permission: string) => ({
    permission,
    resource: `stream ${streamName}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  const shards = await listShards(aws, streamName, context);
  const events: ReadEvent[] = [];
  let recordsRead = 0;
  let caughtUp = true;
  for (const shard of shards) {
    signal?.throwIfAborted();
    const read = await readShard(aws, streamName, shard, options, context);
    events.push(...read.events);
    recordsRead += read.records;
    caughtUp &&= read.caughtUp;
  }
  const incomingRecordsLastHour = await incomingRecords(
    aws,
    streamName,
    options.now ?? new Date(),
    context,
  );
  return buildDeliveryReport({
    events,
    recordsRead,
    incomingRecordsLastHour,
    readSince: since,
    shardsRead: shards.length,
    caughtUp,
  });
}

type Context = (permission: string) => AwsCallContext;

async function listShards(
  aws: Pick<AccountClients, 'kinesis'>,
  streamName: string,
  context: Context,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // A page after the first names no stream: its token does.
    const request = nextToken
      ? { NextToken: nextToken }
      : { StreamName: streamName, MaxResults: 1000 };
    const page = await send(
      () => aws.kinesis.send(new ListShardsCommand(request)),
      context('kinesis:ListShards'),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

async function readShard(
  aws: Pick<AccountClients, 'kinesis'>,
  streamName: string,
  shard: Shard,
  options: ReadDeliveryOptions,
  context: Context,
): Promise<{ events: ReadEvent[]; records: number; caughtUp: boolean }> {
  const maxCalls = options.maxCallsPerShard ?? 20;
  const { ShardIterator } = await send(
    () =>
      aws.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'AT_TIMESTAMP',
          Timestamp: options.since,
        }),
      ),
    context('kinesis:GetShardIterator'),
  );
  const events: ReadEvent[] = [];
  let records = 0;
  let iterator = ShardIterator;
  for (let call = 0; iterator; call++) {
    if (call === maxCalls) return { events, records, caughtUp: false };
    options.signal?.throwIfAborted();
    const current = iterator;
    const page = await send(
      () =>
        aws.kinesis.send(
          new GetRecordsCommand({
            ShardIterator: current,
            Limit: options.recordsPerCall ?? 10_000,
          }),
        ),
      context('kinesis:GetRecords'),
    );
    for (const record of page.Records ?? []) {
      records++;
      const event = record.Data && parseCloudEvent(record.Data);
      if (event) {
        events.push({
          event,
          arrivedAt: record.ApproximateArrivalTimestamp ?? new Date(),
        });
      }
    }
    // Caught up at the shard's tip. An empty page that is still behind is a
    // gap in a sparse shard (Kinesis documents it): read on.
    const behind = page.MillisBehindLatest;
    const empty = (page.Records ?? []).length === 0;
    if (behind === 0 || (empty && !(behind && behind > 0))) break;
    // A closed shard read to its end has no next iterator.
    iterator = page.NextShardIterator;
  }
  return { events, records, caughtUp: true };
}

async function incomingRecords(
  aws: Pick<AccountClients, 'cloudwatch'>,
  streamName: string,
  now: Date,
  context: Context,
): Promise<number> {
  // One-minute periods, the metric's own: a single hour-long period would
  // be aligned by CloudWatch to clock hours and cover up to two of them.
  const stats = await send(
    () =>
      aws.cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/Kinesis',
          MetricName: 'IncomingRecords',
          Dimensions: [{ Name: 'StreamName', Value: streamName }],
          StartTime: new Date(now.getTime() - HOUR_MS),
          EndTime: now,
          Period: 60,
          Statistics: ['Sum'],
        }),
      ),
    context('cloudwatch:GetMetricStatistics'),
  );
  return (stats.Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}
