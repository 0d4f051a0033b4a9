/**
 * A Kinesis stream in the emulator and records written to it as Meter
 * writes them, for tests of what reads the stream.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  KinesisClientConfig,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import {
  METER_EVENT_SOURCE,
  TYPE_TEST,
} from '@internal/backstage-plugin-meter-siem-common';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomBytes, randomUUID } from 'node:crypto';

/** A CloudEvent 1.0 as Meter writes it, of that type, timed now. */
export function meterCloudEvent(type: string = TYPE_TEST) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: METER_EVENT_SOURCE,
    type,
    subject: randomUUID(),
    datacontenttype: 'application/json',
    time: new Date().toISOString(),
    data: type === TYPE_TEST ? {} : { src_ip: '10.0.0.7', src_port: 51234 },
  };
}

export interface TestStream {
  name: string;
  arn: string;
  /**
   * PutRecord of a value (JSON-encoded unless a string) to the shard of
   * that index.
   */
  put(data: unknown, shard?: number): Promise<void>;
}

/**
 * Creates a stream of a unique name, through `AWS_ENDPOINT_URL` and the
 * environment's credentials unless `client` says otherwise.
 */
export async function createTestStream(options: {
  region: string;
  shardCount?: number;
  prefix?: string;
  client?: Partial<KinesisClientConfig>;
}): Promise<TestStream> {
  const kinesis = new KinesisClient({
    region: options.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
    ...options.client,
  });
  const name = `${options.prefix ?? 'test'}-${randomBytes(4).toString('hex')}`;
  await kinesis.send(
    new CreateStreamCommand({
      StreamName: name,
      ShardCount: options.shardCount ?? 1,
    }),
  );
  const [{ StreamDescriptionSummary }, { Shards = [] }] = await Promise.all([
    kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
    kinesis.send(new ListShardsCommand({ StreamName: name })),
  ]);
  return {
    name,
    arn: StreamDescriptionSummary!.StreamARN!,
    async put(data, shard = 0) {
      await kinesis.send(
        new PutRecordCommand({
          StreamName: name,
          PartitionKey: 'test',
          ExplicitHashKey: Shards[shard].HashKeyRange!.StartingHashKey,
          Data: new TextEncoder().encode(
            typeof data === 'string' ? data : JSON.stringify(data),
          ),
        }),
      );
    },
  };
}
