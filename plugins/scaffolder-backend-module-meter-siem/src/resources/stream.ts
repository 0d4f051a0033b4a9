import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import {
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  StreamDescriptionSummary,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
} from '@aws-sdk/client-kinesis';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AWS_MANAGED_KINESIS_KEY,
  ENHANCED_METRICS,
  MANAGED_BY_VALUE,
  MeterSiemSettings,
  STREAM_UPDATE_LIMITS,
  StreamSettings,
  StreamState,
  StreamUpdateStep,
  Tag,
  permissionsPolicyWithKeys,
  policyKmsKeys,
  resourceName,
  streamArn,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  explainAwsError,
  send,
  readPolicyDocument,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnsureContext, findOrCreate } from './ensure';
import { ResourceLabel, assertOurs, describeResource } from './ours';
import { addMissingTags, streamTags } from './tags';

const DEFAULT_RETENTION_HOURS = 24;

/**
 * How long to wait for a stream to become ACTIVE, and the pauses between
 * looks. The waits are AWS's (tens of seconds to create, seconds to update)
 * and on the template's critical path, so the look is every second: a wait
 * ends at most a second after AWS's, and a waiting stream takes one of the
 * 20 DescribeStreamSummary calls a second AWS allows an account and region.
 */
const ACTIVE_WAIT = {
  maxWaitMs: 300_000,
  pollMs: 1_000,
};

/** A stream found or created, before its settings are applied. */
export interface StreamCreated {
  stream: StreamDescriptionSummary;
  /** Its tags as read, or as the create wrote them. */
  tags: Record<string, string>;
}

/**
 * The integration's Kinesis stream, made or completed to `wanted`: created
 * with its mode, shards and tags ({@link ensureStreamCreated}), then its
 * other settings ({@link configureStream}), waiting until it is ACTIVE after
 * each change.
 */
export async function ensureStream(
  aws: AccountClients,
  name: string,
  wanted: StreamSettings,
  ctx: EnsureContext,
): Promise<StreamDescriptionSummary> {
  const created = await ensureStreamCreated(aws, name, wanted, ctx);
  return configureStream(aws, name, wanted, ctx, created);
}

/**
 * The integration's Kinesis stream exists: created with its mode, shards
 * and tags in one CreateStream (AWS applies the tags atomically), or an
 * earlier run's stream adopted after checking it is this integration's.
 * Returns at once, while AWS may still be CREATING it: the IAM work and the
 * alarm need no ACTIVE stream, so a template runs them during that wait and
 * applies the remaining settings last ({@link configureStream}).
 */
export async function ensureStreamCreated(
  aws: AccountClients,
  name: string,
  wanted: StreamSettings,
  ctx: EnsureContext,
): Promise<StreamCreated> {
  const label = streamLabel(aws, name);
  const call = callContext(aws, name);
  const tagged = streamTags(aws, streamArn(aws.region, aws.accountId, name));
  const { found, tags, adopted } = await findOrCreate(ctx, {
    label,
    find: () => describe(aws, name, call),
    tagsOf: () => tagged.read(),
    create: () =>
      aws.kinesis.send(
        new CreateStreamCommand({
          StreamName: name,
          StreamModeDetails: { StreamMode: wanted.capacityMode },
          ShardCount:
            wanted.capacityMode === 'PROVISIONED'
              ? wanted.shardCount
              : undefined,
          Tags: Object.fromEntries(ctx.tags.map(t => [t.Key, t.Value])),
        }),
      ),
    call: call('kinesis:CreateStream'),
  });
  if (adopted) assertSameTags(tags!, ctx.tags, ctx.integrationName, name);
  ctx.logger.info(
    adopted
      ? `Kinesis stream ${name} already exists and belongs to integration ${ctx.integrationName}; checking its settings`
      : `Creating Kinesis stream ${name} in ${aws.region} (account ${
          aws.accountId
        }): ${describeSettings(wanted)}`,
  );
  // Mode and shards are known from the start, even while CREATING.
  assertSameSettings(found, wanted, label, {
    setUpCompletely: adopted && hasEnhancedMetrics(found),
  });
  if (adopted) return { stream: found, tags: tags! };
  // AWS applies CreateStream's tags with the stream; an emulator may drop
  // them (moto does, and makes the stream ACTIVE at once): one read checks,
  // and adds what is missing.
  const current = await tagged.read();
  await addMissingTags(tagged, ctx.tags, current);
  return {
    stream: found,
    tags: {
      ...current,
      ...Object.fromEntries(ctx.tags.map(t => [t.Key, t.Value])),
    },
  };
}

/**
 * Waits until the stream is ACTIVE, then applies retention, encryption and
 * the shard-level metrics, waiting after each (AWS refuses a change while
 * the stream is UPDATING). `created` is what {@link ensureStreamCreated}
 * returned in the same step; a later step passes nothing, and the stream is
 * then checked again to be this integration's before anything changes.
 *
 * The metrics are the last setting applied: a stream that has them was set
 * up completely, and a re-run never changes it (a difference is a
 * conflict). One without them was left half-way by a failed run, and is
 * completed.
 */
export async function configureStream(
  aws: AccountClients,
  name: string,
  wanted: StreamSettings,
  ctx: EnsureContext,
  created?: StreamCreated,
): Promise<StreamDescriptionSummary> {
  const call = callContext(aws, name);
  const tagged = streamTags(aws, streamArn(aws.region, aws.accountId, name));
  const wait = () => waitActive(aws, name, call, ctx.signal);

  let stream = await wait();
  let tags = created?.tags;
  if (!tags) {
    const label = streamLabel(aws, name);
    tags = await tagged.read();
    await ctx.mayChange(tags, describeResource(label));
    assertOurs(tags, label, ctx.integrationName, ctx.tagKeys);
    assertSameTags(tags, ctx.tags, ctx.integrationName, name);
    assertSameSettings(stream, wanted, label, {
      setUpCompletely: hasEnhancedMetrics(stream),
    });
  }
  // A run interrupted after an adopted stream's check must still converge.
  await addMissingTags(tagged, ctx.tags, tags);

  if (
    (stream.RetentionPeriodHours ?? DEFAULT_RETENTION_HOURS) <
    wanted.retentionHours
  ) {
    await send(
      () =>
        aws.kinesis.send(
          new IncreaseStreamRetentionPeriodCommand({
            StreamName: name,
            RetentionPeriodHours: wanted.retentionHours,
          }),
        ),
      call('kinesis:IncreaseStreamRetentionPeriod'),
    );
    ctx.logger.info(
      `Set retention of ${name} to ${wanted.retentionHours} hours`,
    );
    stream = await wait();
  }
  if (wanted.encryption !== 'NONE' && stream.EncryptionType !== 'KMS') {
    await send(
      () =>
        aws.kinesis.send(
          new StartStreamEncryptionCommand({
            StreamName: name,
            EncryptionType: 'KMS',
            KeyId: keyOf(wanted),
          }),
        ),
      call('kinesis:StartStreamEncryption'),
    );
    ctx.logger.info(`Enabled KMS encryption of ${name} with ${keyOf(wanted)}`);
    stream = await wait();
  }
  if (!hasEnhancedMetrics(stream)) {
    await send(
      () =>
        aws.kinesis.send(
          new EnableEnhancedMonitoringCommand({
            StreamName: name,
            ShardLevelMetrics: [...ENHANCED_METRICS],
          }),
        ),
      call('kinesis:EnableEnhancedMonitoring'),
    );
    ctx.logger.info(
      `Enabled shard-level metrics ${ENHANCED_METRICS.join(
        ' and ',
      )} on ${name}`,
    );
    stream = await wait();
  }
  return stream;
}

function streamLabel(aws: AccountClients, name: string): ResourceLabel {
  return {
    kind: 'Kinesis stream',
    name,
    accountId: aws.accountId,
    region: aws.region,
  };
}

function callContext(aws: AccountClients, name: string): CallContext {
  return (permission: string) => ({
    permission,
    resource: `stream ${name}`,
    accountId: aws.accountId,
    region: aws.region,
  });
}

export type CallContext = (permission: string) => {
  permission: string;
  resource: string;
  accountId: string;
  region: string;
};

function keyOf(settings: StreamSettings): string {
  return settings.encryption === 'KMS_CUSTOMER_KEY'
    ? settings.kmsKeyArn!
    : AWS_MANAGED_KINESIS_KEY;
}

/** The settings in words, for logs and dry runs. */
export function describeSettings(settings: StreamSettings): string {
  const capacity =
    settings.capacityMode === 'PROVISIONED'
      ? `PROVISIONED with ${settings.shardCount} shard(s)`
      : 'ON_DEMAND';
  const encryption =
    settings.encryption === 'NONE'
      ? 'no encryption'
      : `KMS encryption with ${keyOf(settings)}`;
  return `${capacity}, retention ${settings.retentionHours} hours, ${encryption}`;
}

async function describe(
  aws: AccountClients,
  name: string,
  call: CallContext,
): Promise<StreamDescriptionSummary | undefined> {
  const found = await sendIfExists(
    () =>
      aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
    call('kinesis:DescribeStreamSummary'),
  );
  return found?.StreamDescriptionSummary;
}

/**
 * Polls DescribeStreamSummary until the stream is ACTIVE, every
 * ACTIVE_WAIT.pollMs, for at most ACTIVE_WAIT.maxWaitMs. Unlike the SDK's waiter, which retries on
 * any error until its deadline, an error ends the wait at once (after the
 * SDK's own retries), and the task's abort signal ends it within the
 * current pause.
 */
export async function waitActive(
  aws: AccountClients,
  name: string,
  call: CallContext,
  signal?: AbortSignal,
): Promise<StreamDescriptionSummary> {
  const deadline = Date.now() + ACTIVE_WAIT.maxWaitMs;
  const pause = ACTIVE_WAIT.pollMs;
  for (;;) {
    const stream = await describe(aws, name, call);
    if (!stream) {
      throw new Error(
        `Kinesis stream ${name} disappeared while it was being set up (deleted in AWS meanwhile?). Run the template again to create it anew.`,
      );
    }
    if (stream.StreamStatus === 'ACTIVE') return stream;
    if (Date.now() + pause > deadline) {
      throw new Error(
        `Kinesis stream ${name} was still ${stream.StreamStatus} after ${
          ACTIVE_WAIT.maxWaitMs / 1000
        } seconds (AWS console: Kinesis > Data streams > ${name} shows its status). Run the template again once it is ACTIVE: the run continues from there.`,
      );
    }
    try {
      await sleep(pause, undefined, { signal });
    } catch (error) {
      throw explainAwsError(error, call('kinesis:DescribeStreamSummary'));
    }
  }
}

/** An adopted stream's tags may lack some, but none may differ. */
function assertSameTags(
  current: Record<string, string>,
  wanted: Tag[],
  integrationName: string,
  name: string,
) {
  const differing = wanted.filter(
    t => current[t.Key] !== undefined && current[t.Key] !== t.Value,
  );
  if (differing.length > 0) {
    throw new ConflictError(
      `Kinesis stream ${name} belongs to integration ${integrationName} but its tags differ from this run: ${differing
        .map(t => `${t.Key} is "${current[t.Key]}", the run asks "${t.Value}"`)
        .join(
          '; ',
        )}. It was left untouched: run with the same values, or change the tags in AWS (the "Fix ownership tags" template does it).`,
    );
  }
}

function hasEnhancedMetrics(stream: StreamDescriptionSummary): boolean {
  const enabled = new Set(
    (stream.EnhancedMonitoring ?? []).flatMap(m => m.ShardLevelMetrics ?? []),
  );
  return ENHANCED_METRICS.every(metric => enabled.has(metric));
}

/**
 * Settings fixed at creation must match. Settings applied after creation
 * (retention, encryption) may still be at AWS's defaults when an earlier run
 * stopped half-way, and are then completed; on a stream that was set up
 * completely every difference is a conflict, so a re-run never changes a
 * setting silently.
 */
function assertSameSettings(
  stream: StreamDescriptionSummary,
  wanted: StreamSettings,
  label: ResourceLabel,
  options: { setUpCompletely: boolean },
) {
  const strict = options.setUpCompletely;
  const differences: string[] = [];
  const mode = stream.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
  if (mode !== wanted.capacityMode) {
    differences.push(
      `capacityMode is ${mode}, the run asks ${wanted.capacityMode}`,
    );
  } else if (
    mode === 'PROVISIONED' &&
    stream.OpenShardCount !== wanted.shardCount
  ) {
    differences.push(
      `shardCount is ${stream.OpenShardCount}, the run asks ${wanted.shardCount}`,
    );
  }
  const retention = stream.RetentionPeriodHours ?? DEFAULT_RETENTION_HOURS;
  if (
    retention !== wanted.retentionHours &&
    (strict || retention !== DEFAULT_RETENTION_HOURS)
  ) {
    differences.push(
      `retentionHours is ${retention}, the run asks ${wanted.retentionHours}`,
    );
  }
  if (
    strict &&
    stream.EncryptionType !== 'KMS' &&
    wanted.encryption !== 'NONE'
  ) {
    differences.push(
      `the stream is not encrypted, the run asks for ${wanted.encryption}`,
    );
  }
  if (stream.EncryptionType === 'KMS') {
    if (wanted.encryption === 'NONE') {
      differences.push(
        'the stream is encrypted, the run asks for no encryption',
      );
    } else if (stream.KeyId !== keyOf(wanted)) {
      differences.push(
        `the stream is encrypted with ${stream.KeyId}, the run asks ${keyOf(
          wanted,
        )}`,
      );
    }
  }
  if (differences.length > 0) {
    throw new ConflictError(
      `Kinesis stream ${label.name} (account ${label.accountId}, region ${
        label.region
      }) already exists with other settings: ${differences.join(
        '; ',
      )}. It was left untouched: a run reuses an existing integration only with its current settings. Run again with those, or change the stream first (AWS console: Kinesis > Data streams > ${
        label.name
      } > Configuration, or the AWS CLI) and run again.`,
    );
  }
}

/** What an update reads of a stream before planning its change. */
export interface StreamForUpdate {
  state: StreamState;
  tags: Record<string, string>;
}

/**
 * Reads an integration's stream for an update (reads only, so a dry run may
 * too): its settings (DescribeStreamSummary), and the customer keys its
 * write policy grants. Refuses, changing nothing, a stream that is gone or
 * not this integration's: its tags must name the integration (the stream's
 * name without the product's prefix) and say Backstage manages it.
 */
export async function readStreamForUpdate(
  aws: AccountClients,
  arn: string,
  options: {
    policyArn?: string;
    settings: Pick<MeterSiemSettings, 'tagKeys' | 'namePrefix'>;
  },
): Promise<StreamForUpdate> {
  const name = resourceName(arn);
  const call = streamCall(aws, name);
  const stream = await describe(aws, name, call);
  if (!stream) {
    throw new NotFoundError(
      `Kinesis stream ${name} (account ${aws.accountId}, region ${aws.region}) no longer exists; nothing was changed. The catalog drops the integration's stream at its next sync.`,
    );
  }
  const tags = await streamTags(aws, arn).read();
  const { tagKeys, namePrefix } = options.settings;
  const integrationName = name.startsWith(namePrefix)
    ? name.slice(namePrefix.length)
    : undefined;
  if (
    !integrationName ||
    tags[tagKeys.integration] !== integrationName ||
    tags[tagKeys.managedBy] !== MANAGED_BY_VALUE
  ) {
    throw new ConflictError(
      `Kinesis stream ${name} (account ${aws.accountId}, region ${
        aws.region
      }) was not changed: it is not one Backstage made for integration ${
        integrationName ?? name
      } (its tags ${tagKeys.integration}=${integrationName ?? '…'} and ${
        tagKeys.managedBy
      }=${MANAGED_BY_VALUE} are not both there), so Backstage leaves its settings to whoever made it. Change it in the AWS console, or tag it with the "Fix ownership tags" template only if it is really this integration's.`,
    );
  }
  return {
    tags,
    state: {
      capacityMode: stream.StreamModeDetails?.StreamMode ?? 'PROVISIONED',
      openShardCount: stream.OpenShardCount ?? 0,
      retentionHours: stream.RetentionPeriodHours ?? DEFAULT_RETENTION_HOURS,
      kmsKeyId:
        stream.EncryptionType === 'KMS' ? stream.KeyId ?? undefined : undefined,
      policyKeys: options.policyArn
        ? await readPolicyKeys(aws, options.policyArn, arn)
        : undefined,
    },
  };
}

/** The customer keys the write policy grants, if it is the least-privilege one. */
async function readPolicyKeys(
  aws: AccountClients,
  policyArn: string,
  arn: string,
): Promise<string[] | undefined> {
  return policyKmsKeys(await readPolicyDocument(aws, policyArn), arn);
}

/**
 * Makes the planned change of an integration's stream, step by step in the
 * plan's order, waiting until the stream is ACTIVE after each stream call
 * (AWS refuses the next change while it is UPDATING). A failure stops
 * there: what was done stays, and a re-run plans only what still differs.
 */
export async function updateStream(
  aws: AccountClients,
  arn: string,
  steps: StreamUpdateStep[],
  ctx: { logger: LoggerService; signal?: AbortSignal; policyArn?: string },
): Promise<StreamDescriptionSummary | undefined> {
  const StreamName = resourceName(arn);
  const call = streamCall(aws, StreamName);
  let stream: StreamDescriptionSummary | undefined;
  const kinesis = async (
    permission: string,
    request: () => Promise<unknown>,
    done: string,
  ) => {
    try {
      await request();
    } catch (error) {
      throw limitsExplained(error, call(permission));
    }
    ctx.logger.info(`${done}; waiting until ${StreamName} is ACTIVE`);
    stream = await waitActive(aws, StreamName, call, ctx.signal);
  };

  for (const step of steps) {
    switch (step.call) {
      case 'UpdateStreamMode':
        await kinesis(
          'kinesis:UpdateStreamMode',
          () =>
            aws.kinesis.send(
              new UpdateStreamModeCommand({
                StreamARN: arn,
                StreamModeDetails: { StreamMode: step.mode },
              }),
            ),
          `Switched ${StreamName} to ${step.mode}`,
        );
        break;
      case 'UpdateShardCount':
        await kinesis(
          'kinesis:UpdateShardCount',
          () =>
            aws.kinesis.send(
              new UpdateShardCountCommand({
                StreamName,
                TargetShardCount: step.to,
                ScalingType: 'UNIFORM_SCALING',
              }),
            ),
          `Resharding ${StreamName} from ${step.from} to ${step.to} shards`,
        );
        break;
      case 'IncreaseStreamRetentionPeriod':
        await kinesis(
          'kinesis:IncreaseStreamRetentionPeriod',
          () =>
            aws.kinesis.send(
              new IncreaseStreamRetentionPeriodCommand({
                StreamName,
                RetentionPeriodHours: step.hours,
              }),
            ),
          `Increased retention of ${StreamName} to ${step.hours} hours`,
        );
        break;
      case 'DecreaseStreamRetentionPeriod':
        await kinesis(
          'kinesis:DecreaseStreamRetentionPeriod',
          () =>
            aws.kinesis.send(
              new DecreaseStreamRetentionPeriodCommand({
                StreamName,
                RetentionPeriodHours: step.hours,
              }),
            ),
          `Decreased retention of ${StreamName} to ${step.hours} hours`,
        );
        break;
      case 'StartStreamEncryption':
        await kinesis(
          'kinesis:StartStreamEncryption',
          () =>
            aws.kinesis.send(
              new StartStreamEncryptionCommand({
                StreamName,
                EncryptionType: 'KMS',
                KeyId: step.keyId,
              }),
            ),
          `Encrypting ${StreamName} with ${step.keyId}`,
        );
        break;
      case 'StopStreamEncryption':
        await kinesis(
          'kinesis:StopStreamEncryption',
          () =>
            aws.kinesis.send(
              new StopStreamEncryptionCommand({
                StreamName,
                EncryptionType: 'KMS',
                KeyId: step.keyId,
              }),
            ),
          `Stopped encrypting ${StreamName}`,
        );
        break;
      case 'SetPolicyKeys':
        await setPolicyKeys(aws, ctx.policyArn!, arn, step.keys);
        ctx.logger.info(
          `Write policy ${resourceName(ctx.policyArn!)} now grants ${
            step.keys.length ? step.keys.join(', ') : 'no KMS key'
          }`,
        );
        break;
      default:
        throw new Error(`Unknown step ${JSON.stringify(step)}`);
    }
  }
  return stream;
}

/**
 * A new default version of the write policy granting exactly `keys`,
 * removing the oldest other version first when the policy has IAM's
 * maximum of 5.
 */
async function setPolicyKeys(
  aws: AccountClients,
  policyArn: string,
  arn: string,
  keys: string[],
): Promise<void> {
  const call = policyCall(aws, policyArn);
  const { Versions = [] } = await send(
    () => aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn })),
    call('iam:ListPolicyVersions'),
  );
  if (Versions.length >= 5) {
    const [oldest] = Versions.filter(v => !v.IsDefaultVersion).sort(
      (a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0),
    );
    await send(
      () =>
        aws.iam.send(
          new DeletePolicyVersionCommand({
            PolicyArn: policyArn,
            VersionId: oldest.VersionId,
          }),
        ),
      call('iam:DeletePolicyVersion'),
    );
  }
  await send(
    () =>
      aws.iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: policyArn,
          PolicyDocument: JSON.stringify(permissionsPolicyWithKeys(arn, keys)),
          SetAsDefault: true,
        }),
      ),
    call('iam:CreatePolicyVersion'),
  );
}

/**
 * AWS's message, explained, and for the calls AWS limits per stream per
 * day the limit that may be the cause (AWS answers LimitExceededException
 * for it as for throttling and the shard quota).
 */
function limitsExplained(
  error: unknown,
  context: ReturnType<CallContext>,
): Error {
  const explained = explainAwsError(error, context);
  const daily: Record<string, string> = {
    'kinesis:UpdateStreamMode': `switching capacity mode ${STREAM_UPDATE_LIMITS.modeSwitchesPerDay} times`,
    'kinesis:UpdateShardCount': `resharding ${STREAM_UPDATE_LIMITS.shardCountCallsPerDay} times`,
  };
  if (
    (error as { name?: string })?.name === 'LimitExceededException' &&
    daily[context.permission]
  ) {
    explained.message = `${explained.message} Kinesis also allows ${
      daily[context.permission]
    } per stream in a rolling 24 hours, earlier runs and changes outside Backstage included: if the stream was changed recently, run the template again a day after the first change. Changes made before this call stay.`;
  }
  return explained;
}

function streamCall(aws: AccountClients, name: string): CallContext {
  return permission => ({
    permission,
    resource: `stream ${name}`,
    accountId: aws.accountId,
    region: aws.region,
  });
}

function policyCall(aws: AccountClients, policyArn: string) {
  return (permission: string) => ({
    permission,
    resource: `policy ${resourceName(policyArn)}`,
    accountId: aws.accountId,
  });
}
