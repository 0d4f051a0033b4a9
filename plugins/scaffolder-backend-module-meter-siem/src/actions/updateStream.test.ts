import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  RemoveTagsFromStreamCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AWS_MANAGED_KINESIS_KEY,
  INTEGRATION_CREATED_TOPIC,
  buildPermissionsPolicy,
  parsePolicyDocument,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { AwsClientFactory } from '@internal/backstage-plugin-meter-siem-node';
import {
  AwsFaultProxy,
  startAwsFaultProxy,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { loadTemplate, startScaffolder } from '../__testUtils__/backend';
import { provisionIntegration } from '../__testUtils__/integration';
import { actionContext, requireMoto } from '../__testUtils__/moto';
import { JANE, SAM } from '../__testUtils__/org';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { ActionOptions } from './options';
import { createUpdateStreamAction } from './updateStream';
import { examples } from './updateStream.examples';
import yaml from 'yaml';

jest.setTimeout(90_000);

type Made = Awaited<ReturnType<typeof provisionIntegration>>;

/** Calls that change something (everything but reads and STS). */
const writesOf = (calls: { operation: string }[]) =>
  calls
    .map(c => c.operation)
    .filter(op => !/^sts:|:(Get|List|Describe)[A-Z]/.test(op));

describe('meter-siem:stream:update', () => {
  const moto = requireMoto();
  let proxy: AwsFaultProxy;

  beforeAll(async () => {
    // Every AWS call of the tests, the integrations' set-up included, goes
    // through the proxy, which records them and can hold a stream UPDATING.
    proxy = await startAwsFaultProxy({ target: moto });
    process.env.AWS_ENDPOINT_URL = proxy.url;
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL = moto;
    await proxy?.close();
  });
  afterEach(() => proxy.clear());

  /** Runs the action on an integration as Jane (or `extra.userRef`). */
  type Extra = { userRef?: string; isDryRun?: boolean; maxAttempts?: number };
  const publish = jest.fn();
  const run = async (
    made: Made,
    input: Record<string, unknown>,
    extra: Extra = {},
  ) => {
    const { ctx, outputs, logs } = actionContext(
      { integration: made.entityRef, ...input },
      extra,
    );
    const options: ActionOptions = {
      ...made.actionOptions,
      events: { publish } as unknown as EventsService,
    };
    if (extra.maxAttempts) {
      options.clients = new AwsClientFactory(
        DefaultAwsCredentialsManager.fromConfig(
          new ConfigReader({ aws: made.aws }),
        ),
        undefined,
        { maxAttempts: extra.maxAttempts },
      );
    }
    proxy.resetCalls();
    publish.mockClear();
    await createUpdateStreamAction(options).handler(ctx);
    return { outputs, logs, calls: proxy.calls() };
  };
  const failure = async (
    made: Made,
    input: Record<string, unknown>,
    extra: Extra = {},
  ) => {
    const error = await run(made, input, extra).catch(e => e);
    expect(error).toBeInstanceOf(Error);
    return { error: error as Error, calls: proxy.calls() };
  };

  const streamOf = async (made: Made) => {
    const name = `meter-siem-${made.name}`;
    const { StreamDescriptionSummary: s } = await made.sdk.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    const { Shards = [] } = await made.sdk.kinesis.send(
      new ListShardsCommand({ StreamName: name }),
    );
    return {
      mode: s!.StreamModeDetails?.StreamMode,
      openShards: Shards.filter(
        shard => !shard.SequenceNumberRange?.EndingSequenceNumber,
      ).length,
      retention: s!.RetentionPeriodHours,
      encryption: s!.EncryptionType,
      keyId: s!.KeyId ?? undefined,
    };
  };
  const policyOf = async (made: Made) => {
    const { Policy } = await made.sdk.iam.send(
      new GetPolicyCommand({ PolicyArn: made.policyArn }),
    );
    const { PolicyVersion } = await made.sdk.iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: made.policyArn,
        VersionId: Policy!.DefaultVersionId,
      }),
    );
    return parsePolicyDocument(PolicyVersion!.Document!);
  };
  const keyIn = (made: Made) =>
    `arn:aws:kms:${made.region}:${made.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  let made: Made;
  beforeAll(async () => {
    made = await provisionIntegration();
  });

  it.each([
    [{ shardCount: 0 }, 'shardCount must be between 1 and 500'],
    [{ shardCount: 501 }, 'shardCount must be between 1 and 500'],
    [{ retentionHours: 23 }, 'retentionHours must be between 24 and 8760'],
    [{ retentionHours: 8761 }, 'retentionHours must be between 24 and 8760'],
    [
      { capacityMode: 'ON_DEMAND', shardCount: 2 },
      'shardCount is only for PROVISIONED capacity mode',
    ],
    [
      { encryption: 'KMS_CUSTOMER_KEY' },
      'kmsKeyArn is required when encryption is KMS_CUSTOMER_KEY',
    ],
    [
      {
        encryption: 'KMS_CUSTOMER_KEY',
        kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/mine',
      },
      'kmsKeyArn must be the ARN of the key itself',
    ],
    [{}, 'input asks for no change'],
  ])('refuses %j before any AWS call: %s', async (input, message) => {
    const before = await streamOf(made);
    const { error, calls } = await failure(made, input);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
    expect(calls).toEqual([]);
    expect(await streamOf(made)).toEqual(before);
  });

  it('names every bad field in one error', async () => {
    const { error, calls } = await failure(made, {
      shardCount: 501,
      retentionHours: 1,
      encryption: 'KMS_CUSTOMER_KEY',
    });
    expect(error.message).toMatch(
      /^Invalid input: shardCount must be between 1 and 500; retentionHours must be between 24 and 8760; kmsKeyArn is required/,
    );
    expect(calls).toEqual([]);
  });

  it('refuses Sam, of another team, before any AWS call', async () => {
    const { error, calls } = await failure(
      made,
      { shardCount: 2 },
      { userRef: SAM },
    );
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain('Not allowed to resize or reconfigure');
    expect(calls).toEqual([]);
  });

  it('shows the change in a dry run and writes nothing', async () => {
    const before = await streamOf(made);
    const { outputs, logs, calls } = await run(
      made,
      { capacityMode: 'PROVISIONED', shardCount: 4, retentionHours: 48 },
      { isDryRun: true },
    );
    const changes = [
      'shards: 1 → 4 (2 calls: 1→2→4)',
      'retention: 24 h → 48 h',
    ];
    expect(outputs.changes).toEqual(changes);
    expect(logs.join('\n')).toContain(
      `Dry run: would change ${made.streamArn}: ${changes.join('; ')}`,
    );
    expect(calls.map(c => c.operation)).toContain(
      'kinesis:DescribeStreamSummary',
    );
    expect(writesOf(calls)).toEqual([]);
    expect(publish).not.toHaveBeenCalled();
    expect(await streamOf(made)).toEqual(before);
  });

  it.each(examples.map(e => [e.description, e] as const))(
    'dry-runs its example "%s" on an integration in moto',
    async (_, example) => {
      const target = await provisionIntegration({ region: 'us-east-1' });
      const [step] = yaml.parse(example.example).steps;
      expect(step.action).toBe('meter-siem:stream:update');
      // The example's integration and account, as this test's.
      const input = JSON.parse(
        JSON.stringify(step.input)
          .replace(
            /\$\{\{ parameters\.integration \}\}|resource:default\/hq-network-123456789012/,
            target.entityRef,
          )
          .replace(/123456789012/g, target.accountId),
      );
      const { outputs, calls } = await run(target, input, { isDryRun: true });
      expect(outputs.changes.length).toBeGreaterThan(0);
      expect(writesOf(calls)).toEqual([]);
    },
  );

  it('shows the wanted values in a dry run that cannot read the stream', async () => {
    proxy.inject({
      operation: 'kinesis:DescribeStreamSummary',
      fault: 'denied',
    });
    const { outputs, logs, calls } = await run(
      made,
      { retentionHours: 48, encryption: 'KMS_AWS_MANAGED' },
      { isDryRun: true },
    );
    expect(outputs.changes).toEqual([
      'retention: → 48 h',
      `encryption: → KMS with ${AWS_MANAGED_KINESIS_KEY}`,
    ]);
    expect(logs.join('\n')).toContain(
      'Dry run: could not read the stream: AwsError: AWS denied kinesis:DescribeStreamSummary',
    );
    expect(logs.join('\n')).toContain(
      `Dry run: would set (current values unknown) ${made.streamArn}`,
    );
    expect(writesOf(calls)).toEqual([]);
  });

  it('resizes 1 → 4 in two calls, then sets retention and encryption, and converges', async () => {
    const { outputs, calls } = await run(made, {
      capacityMode: 'PROVISIONED',
      shardCount: 4,
      retentionHours: 48,
      encryption: 'KMS_AWS_MANAGED',
    });
    expect(writesOf(calls)).toEqual([
      'kinesis:UpdateShardCount',
      'kinesis:UpdateShardCount',
      'kinesis:IncreaseStreamRetentionPeriod',
      'kinesis:StartStreamEncryption',
    ]);
    expect(outputs.changes).toEqual([
      'shards: 1 → 4 (2 calls: 1→2→4)',
      'retention: 24 h → 48 h',
      `encryption: none → KMS with ${AWS_MANAGED_KINESIS_KEY}`,
    ]);
    expect(await streamOf(made)).toEqual({
      mode: 'PROVISIONED',
      openShards: 4,
      retention: 48,
      encryption: 'KMS',
      keyId: AWS_MANAGED_KINESIS_KEY,
    });
    // The catalog is told to read the integration again.
    expect(publish).toHaveBeenCalledWith({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: expect.objectContaining({
        accountId: made.accountId,
        streamName: `meter-siem-${made.name}`,
      }),
    });

    const again = await run(made, {
      shardCount: 4,
      retentionHours: 48,
      encryption: 'KMS_AWS_MANAGED',
    });
    expect(again.outputs.changes).toEqual([]);
    expect(writesOf(again.calls)).toEqual([]);
    expect(publish).not.toHaveBeenCalled();

    // Back down, and to no encryption.
    const down = await run(made, {
      shardCount: 1,
      retentionHours: 24,
      encryption: 'NONE',
    });
    expect(writesOf(down.calls)).toEqual([
      'kinesis:UpdateShardCount',
      'kinesis:UpdateShardCount',
      'kinesis:DecreaseStreamRetentionPeriod',
      'kinesis:StopStreamEncryption',
    ]);
    expect(await streamOf(made)).toEqual({
      mode: 'PROVISIONED',
      openShards: 1,
      retention: 24,
      encryption: 'NONE',
      keyId: undefined,
    });
  });

  it('grants a customer key in the write policy before encrypting with it, and removes it after', async () => {
    const key = keyIn(made);
    const { outputs, calls } = await run(made, {
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn: key,
    });
    expect(writesOf(calls)).toEqual([
      'iam:CreatePolicyVersion',
      'kinesis:StartStreamEncryption',
    ]);
    expect(outputs.changes).toEqual([
      `encryption: none → KMS with ${key}`,
      `write policy kms:GenerateDataKey: none → ${key}`,
    ]);
    expect((await streamOf(made)).keyId).toBe(key);
    expect(await policyOf(made)).toEqual(
      buildPermissionsPolicy(made.streamArn, { kmsKeyArn: key }),
    );

    const off = await run(made, { encryption: 'NONE' });
    expect(writesOf(off.calls)).toEqual([
      'kinesis:StopStreamEncryption',
      'iam:CreatePolicyVersion',
    ]);
    expect((await streamOf(made)).encryption).toBe('NONE');
    expect(await policyOf(made)).toEqual(
      buildPermissionsPolicy(made.streamArn),
    );
  });

  it('waits until the stream is ACTIVE again after each change', async () => {
    const streamName = `meter-siem-${made.name}`;
    proxy.holdStreamStatus({ status: 'UPDATING', forMs: 2_500, streamName });
    const started = Date.now();
    const { calls } = await run(made, { retentionHours: 36 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    const operations = calls.map(c => c.operation);
    const after = operations.slice(
      operations.indexOf('kinesis:IncreaseStreamRetentionPeriod'),
    );
    // Looked again until the hold ended (pauses of 1 s, then 2 s).
    expect(
      after.filter(op => op === 'kinesis:DescribeStreamSummary').length,
    ).toBeGreaterThanOrEqual(2);
    expect((await streamOf(made)).retention).toBe(36);
    await run(made, { retentionHours: 24 });
  });

  it('switches mode, refuses shards on ON_DEMAND, and switches back with a shard count', async () => {
    const other = await provisionIntegration();
    const toOnDemand = await run(other, { capacityMode: 'ON_DEMAND' });
    expect(writesOf(toOnDemand.calls)).toEqual(['kinesis:UpdateStreamMode']);
    expect(toOnDemand.outputs.changes).toEqual([
      'capacity mode: PROVISIONED → ON_DEMAND',
    ]);
    expect((await streamOf(other)).mode).toBe('ON_DEMAND');

    // The stream is ON_DEMAND: a shard count alone is refused after the
    // read, before any write.
    const refused = await failure(other, { shardCount: 2 });
    expect(refused.error.name).toBe('InputError');
    expect(refused.error.message).toContain(
      'shardCount is only for PROVISIONED capacity mode: this stream is ON_DEMAND',
    );
    expect(writesOf(refused.calls)).toEqual([]);

    const back = await run(other, {
      capacityMode: 'PROVISIONED',
      shardCount: 2,
    });
    expect(writesOf(back.calls)).toEqual([
      'kinesis:UpdateStreamMode',
      'kinesis:UpdateShardCount',
    ]);
    expect(await streamOf(other)).toMatchObject({
      mode: 'PROVISIONED',
      openShards: 2,
    });
  });

  it("explains AWS's refusal of a mode switch with the per-day limit", async () => {
    const other = await provisionIntegration();
    proxy.inject({ operation: 'kinesis:UpdateStreamMode', fault: 'throttle' });
    const { error } = await failure(
      other,
      { capacityMode: 'ON_DEMAND' },
      { maxAttempts: 1 },
    );
    expect(error.message).toContain('kinesis:UpdateStreamMode');
    expect(error.message).toContain(
      'Kinesis also allows switching capacity mode 2 times per stream in a rolling 24 hours',
    );
    expect((await streamOf(other)).mode).toBe('PROVISIONED');
  });

  it('refuses a resize needing more calls than AWS allows a day, before any write', async () => {
    const other = await provisionIntegration();
    // moto reports the target of one UpdateShardCount as the open shards.
    await other.sdk.kinesis.send(
      new UpdateShardCountCommand({
        StreamName: `meter-siem-${other.name}`,
        TargetShardCount: 2000,
        ScalingType: 'UNIFORM_SCALING',
      }),
    );
    const { error, calls } = await failure(other, { shardCount: 1 });
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'shardCount 1 needs 11 UpdateShardCount calls from the 2000 open shards',
    );
    expect(error.message).toContain(
      'AWS allows 10 per stream in a rolling 24 hours',
    );
    expect(writesOf(calls)).toEqual([]);
  });

  it('refuses a stream whose tags do not say it is this integration, changing nothing', async () => {
    const other = await provisionIntegration();
    const keys = resolveSettings().tagKeys;
    const StreamName = `meter-siem-${other.name}`;
    const tags = async (
      Tags: Record<string, string>,
      remove: string[] = [],
    ) => {
      await other.sdk.kinesis.send(
        new AddTagsToStreamCommand({ StreamName, Tags }),
      );
      if (remove.length) {
        await other.sdk.kinesis.send(
          new RemoveTagsFromStreamCommand({ StreamName, TagKeys: remove }),
        );
      }
    };
    const before = await streamOf(other);
    // Another integration's name; then made by hand (no managed-by tag).
    const cases = [
      () => tags({ [keys.integration]: 'another-one' }),
      () => tags({ [keys.integration]: other.name }, [keys.managedBy]),
    ];
    for (const makeNotOurs of cases) {
      await makeNotOurs();
      for (const isDryRun of [true, false]) {
        const { error, calls } = await failure(
          other,
          { shardCount: 2, retentionHours: 48 },
          { isDryRun },
        );
        expect(error.name).toBe('ConflictError');
        expect(error.message).toContain(
          `Kinesis stream ${StreamName} (account ${other.accountId}, region ${other.region}) was not changed: it is not one Backstage made for integration ${other.name}`,
        );
        expect(writesOf(calls)).toEqual([]);
      }
    }
    expect(await streamOf(other)).toEqual(before);
  });

  it('runs as the template meter-siem-update through the scaffolder API', async () => {
    const fresh = await provisionIntegration();
    const scaffolder = await startScaffolder([], {
      entities: fresh.entities,
      config: { aws: fresh.aws },
    });
    try {
      // The Template Editor's dry run: the diff, and no AWS write.
      proxy.resetCalls();
      const dry = await request(scaffolder.backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(JANE))
        .send({
          template: loadTemplate('meter-siem-update'),
          values: {
            integration: fresh.entityRef,
            retentionHours: 72,
            encryption: 'KMS_AWS_MANAGED',
          },
          directoryContents: [],
        });
      expect(dry.status).toBe(200);
      expect(dry.body.output.text[0].content).toContain(
        `retention: 24 h → 72 h\n\nencryption: none → KMS with ${AWS_MANAGED_KINESIS_KEY}\n`,
      );
      expect(writesOf(proxy.calls())).toEqual([]);

      const result = await scaffolder.run(
        {
          integration: fresh.entityRef,
          capacityMode: 'PROVISIONED',
          shardCount: 2,
          retentionHours: 48,
        },
        'template:default/meter-siem-update',
      );
      expect(result.task?.status).toBe('completed');
      const output = JSON.stringify(result.events);
      expect(output).toContain('shards: 1 → 2 (1 call: 1→2)');
      expect(output).toContain('retention: 24 h → 48 h');
      expect(await streamOf(fresh)).toMatchObject({
        openShards: 2,
        retention: 48,
      });

      const same = await scaffolder.run(
        { integration: fresh.entityRef, retentionHours: 48 },
        'template:default/meter-siem-update',
      );
      expect(same.task?.status).toBe('completed');
      expect(JSON.stringify(same.events)).toContain(
        'Nothing changed: the stream already had these settings.',
      );

      const sam = await scaffolder.run(
        { integration: fresh.entityRef, retentionHours: 72 },
        'template:default/meter-siem-update',
        SAM,
      );
      expect(sam.task?.status).toBe('failed');
      expect((await streamOf(fresh)).retention).toBe(48);
    } finally {
      await scaffolder.backend.stop();
    }
  });
});
