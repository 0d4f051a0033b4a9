import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { createStreamAction } from './createStream';
import {
  MOTO_ACCOUNT,
  actionContext,
  actionOptions,
  baseTarget,
  sdk,
  uniqueName,
} from '../__testUtils__/moto';

describe('meter-siem:stream:create against moto', () => {
  const action = createStreamAction(actionOptions());
  const { kinesis } = sdk('eu-west-1');

  const describeStream = async (name: string) =>
    (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary!;
  const tagsOf = async (name: string) =>
    Object.fromEntries(
      (
        await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }))
      ).Tags!.map(t => [t.Key, t.Value]),
    );

  it('creates a provisioned, encrypted stream with metrics, retention and tags', async () => {
    const name = uniqueName();
    const { ctx, outputs } = actionContext({
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 2,
      retentionHours: 48,
      encryption: 'KMS_AWS_MANAGED',
      system: 'system:default/security-monitoring',
      tags: { 'cost-center': 'netops' },
    });
    await action.handler(ctx);

    const stream = await describeStream(`meter-siem-${name}`);
    expect(outputs).toEqual({
      streamArn: `arn:aws:kinesis:eu-west-1:${MOTO_ACCOUNT}:stream/meter-siem-${name}`,
      streamName: `meter-siem-${name}`,
      accountId: MOTO_ACCOUNT,
      region: 'eu-west-1',
    });
    expect(stream.StreamARN).toBe(outputs.streamArn);
    expect(stream.StreamStatus).toBe('ACTIVE');
    expect(stream.StreamModeDetails?.StreamMode).toBe('PROVISIONED');
    expect(stream.OpenShardCount).toBe(2);
    expect(stream.RetentionPeriodHours).toBe(48);
    expect(stream.EncryptionType).toBe('KMS');
    expect(stream.KeyId).toBe('alias/aws/kinesis');
    expect(
      stream.EnhancedMonitoring?.flatMap(m => m.ShardLevelMetrics).sort(),
    ).toEqual(['IncomingBytes', 'IncomingRecords']);
    expect(await tagsOf(`meter-siem-${name}`)).toEqual({
      owner: 'group:default/security',
      environment: 'production',
      'managed-by': 'backstage',
      'meter-siem-integration': name,
      system: 'system:default/security-monitoring',
      'cost-center': 'netops',
    });
  });

  it('creates an on-demand stream with a customer key', async () => {
    const name = uniqueName();
    const key =
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { ctx } = actionContext({
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'ON_DEMAND',
      retentionHours: 24,
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn: key,
    });
    await action.handler(ctx);
    const stream = await describeStream(`meter-siem-${name}`);
    expect(stream.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
    expect(stream.RetentionPeriodHours).toBe(24);
    expect(stream.KeyId).toBe(key);
  });

  it('reuses its own stream on a second run, and refuses one with other settings', async () => {
    const name = uniqueName();
    const input = {
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 24,
      encryption: 'NONE',
    };
    const first = actionContext(input);
    await action.handler(first.ctx);
    const second = actionContext(input);
    await action.handler(second.ctx);
    expect(second.outputs).toEqual(first.outputs);

    const other = actionContext({
      ...input,
      shardCount: 3,
      retentionHours: 72,
    });
    await expect(action.handler(other.ctx)).rejects.toThrow(
      /already exists with other settings: shardCount is 1, the run asks 3/,
    );
    const stream = await describeStream(`meter-siem-${name}`);
    expect(stream.OpenShardCount).toBe(1);
    expect(stream.RetentionPeriodHours).toBe(24);
  });

  it('never changes a setting of a completely set-up stream on a re-run, even one at the default', async () => {
    const name = uniqueName();
    const input = {
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 24,
      encryption: 'NONE',
    };
    await action.handler(actionContext(input).ctx);
    const longer = actionContext({
      ...input,
      retentionHours: 168,
      encryption: 'KMS_AWS_MANAGED',
    });
    await expect(action.handler(longer.ctx)).rejects.toThrow(
      /already exists with other settings: retentionHours is 24, the run asks 168; the stream is not encrypted, the run asks for KMS_AWS_MANAGED\. It was left untouched/,
    );
    const stream = await describeStream(`meter-siem-${name}`);
    expect(stream.RetentionPeriodHours).toBe(24);
    expect(stream.EncryptionType ?? 'NONE').toBe('NONE');
  });

  it('completes a stream an earlier run left half set up (no metrics yet)', async () => {
    const name = uniqueName();
    const input = {
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 48,
      encryption: 'NONE',
    };
    // What a run that stopped right after CreateStream leaves behind.
    await kinesis.send(
      new CreateStreamCommand({
        StreamName: `meter-siem-${name}`,
        ShardCount: 1,
      }),
    );
    await kinesis.send(
      new AddTagsToStreamCommand({
        StreamName: `meter-siem-${name}`,
        Tags: {
          'managed-by': 'backstage',
          'meter-siem-integration': name,
          owner: 'group:default/security',
        },
      }),
    );
    const { ctx, logs } = actionContext(input);
    await action.handler(ctx);
    const stream = await describeStream(`meter-siem-${name}`);
    expect(stream.RetentionPeriodHours).toBe(48);
    expect(logs.join('\n')).toContain(
      `Set retention of meter-siem-${name} to 48 hours`,
    );
  });

  it('refuses a customer key of another account before creating anything', async () => {
    const name = uniqueName();
    const { ctx } = actionContext({
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 24,
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn:
        'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /kmsKeyArn must be a key in the stream's account 123456789012 and region eu-west-1 \(this key is in account 999999999999, region eu-west-1\)/,
    );
    await expect(describeStream(`meter-siem-${name}`)).rejects.toThrow(
      /not found/i,
    );
  });

  it('never touches a stream with the same name that is not its own', async () => {
    const name = uniqueName();
    await kinesis.send(
      new CreateStreamCommand({
        StreamName: `meter-siem-${name}`,
        ShardCount: 1,
      }),
    );
    const { ctx } = actionContext({
      ...baseTarget,
      region: 'eu-west-1',
      name,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 48,
      encryption: 'KMS_AWS_MANAGED',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /already exists in account 123456789012, region eu-west-1, and was not created by Backstage/,
    );
    const stream = await describeStream(`meter-siem-${name}`);
    expect(stream.RetentionPeriodHours).toBe(24);
    expect(stream.EncryptionType ?? 'NONE').toBe('NONE');
    expect(await tagsOf(`meter-siem-${name}`)).toEqual({});
  });

  it('only describes what it would create in a dry run', async () => {
    const name = uniqueName();
    const { ctx, outputs, logs } = actionContext(
      {
        ...baseTarget,
        region: 'eu-west-1',
        name,
        capacityMode: 'PROVISIONED',
        shardCount: 1,
        retentionHours: 24,
        encryption: 'NONE',
      },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(logs.join('\n')).toMatch(
      new RegExp(`would create Kinesis stream meter-siem-${name}`),
    );
    expect(outputs.streamName).toBe(`meter-siem-${name}`);
    await expect(describeStream(`meter-siem-${name}`)).rejects.toThrow(
      /not found/i,
    );
  });
});

describe('meter-siem:stream:create failure paths moto cannot produce', () => {
  // Mocking patches every KinesisClient, so it lives only inside this block.
  let kinesisMock: ReturnType<typeof mockClient>;
  beforeAll(() => {
    kinesisMock = mockClient(KinesisClient);
  });
  afterEach(() => kinesisMock.reset());
  afterAll(() => kinesisMock.restore());

  const input = {
    ...baseTarget,
    accountId: '123456789012',
    name: 'denied',
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  };

  it('names the missing permission when AWS denies access', async () => {
    kinesisMock.on(DescribeStreamSummaryCommand).rejects(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDeniedException',
      }),
    );
    const { ctx } = actionContext(input);
    await expect(
      createStreamAction(actionOptions()).handler(ctx),
    ).rejects.toThrow(
      /AWS denied kinesis:DescribeStreamSummary on stream meter-siem-denied \(account 123456789012, region us-east-1\)\. Grant .* "kinesis:DescribeStreamSummary"/,
    );
  });

  it('explains the shard quota when Kinesis refuses the create', async () => {
    kinesisMock
      .on(DescribeStreamSummaryCommand)
      .rejects(
        Object.assign(new Error('Stream not found'), {
          name: 'ResourceNotFoundException',
        }),
      )
      .on(CreateStreamCommand)
      .rejects(
        Object.assign(new Error('shard limit'), {
          name: 'LimitExceededException',
        }),
      );
    const { ctx } = actionContext(input);
    await expect(
      createStreamAction(actionOptions()).handler(ctx),
    ).rejects.toThrow(/shard quota .* use fewer shards or ON_DEMAND/);
  });
});
