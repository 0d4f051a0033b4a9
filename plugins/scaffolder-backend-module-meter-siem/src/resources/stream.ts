import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  StartStreamEncryptionCommand,
  StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { ConflictError } from '@backstage/errors';
import {
  AWS_MANAGED_KINESIS_KEY,
  ENHANCED_METRICS,
  StreamSettings,
  Tag,
  streamArn,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  explainAwsError,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnsureContext, findOrCreate } from './ensure';
import { ResourceLabel } from './ours';
import { addMissingTags, streamTags } from './tags';

const DEFAULT_RETENTION_HOURS = 24;

/** How long to wait for a stream to become ACTIVE, and the pauses between looks. */
const ACTIVE_WAIT = {
  maxWaitMs: 300_000,
  minDelayMs: 1_000,
  maxDelayMs: 10_000,
};

/**
 * The integration's Kinesis stream, made or completed to `wanted`:
 * created with its mode, shards and tags, then retention, encryption and
 * the shard-level metrics, waiting until it is ACTIVE after each change.
 *
 * The metrics are the last setting applied: a stream that has them was set
 * up completely, and a re-run never changes it (a difference is a
 * conflict). One without them was left half-way by a failed run, and is
 * completed.
 */
export async function ensureStream(
  aws: AccountClients,
  name: string,
  wanted: StreamSettings,
  ctx: EnsureContext,
): Promise<StreamDescriptionSummary> {
  const label: ResourceLabel = {
    kind: 'Kinesis stream',
    name,
    accountId: aws.accountId,
    region: aws.region,
  };
  const call = (permission: string) => ({
    permission,
    resource: `stream ${name}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  const tagged = streamTags(aws, streamArn(aws.region, aws.accountId, name));
  const look = () => describe(aws, name, call);
  const wait = () => waitActive(aws, name, call, ctx.signal);

  const { tags, adopted } = await findOrCreate(ctx, {
    label,
    find: look,
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

  let stream = await wait();
  assertSameSettings(stream, wanted, label, {
    setUpCompletely: adopted && hasEnhancedMetrics(stream),
  });
  // A run interrupted after the create must still converge.
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

type CallContext = (permission: string) => {
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
 * Polls DescribeStreamSummary until the stream is ACTIVE, with backoff, for
 * at most ACTIVE_WAIT.maxWaitMs. Unlike the SDK's waiter, which retries on
 * any error until its deadline, an error ends the wait at once (after the
 * SDK's own retries), and the task's abort signal ends it within the
 * current pause.
 */
async function waitActive(
  aws: AccountClients,
  name: string,
  call: CallContext,
  signal?: AbortSignal,
): Promise<StreamDescriptionSummary> {
  const deadline = Date.now() + ACTIVE_WAIT.maxWaitMs;
  for (let pause = ACTIVE_WAIT.minDelayMs; ; ) {
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
    pause = Math.min(pause * 2, ACTIVE_WAIT.maxDelayMs);
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
