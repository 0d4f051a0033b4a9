import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListTagsForStreamCommand,
  StartStreamEncryptionCommand,
  StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { ConflictError } from '@backstage/errors';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AWS_MANAGED_KINESIS_KEY,
  ENHANCED_METRICS,
  MANAGED_BY_VALUE,
  StreamSettings,
  Tag,
  streamArn as formatStreamArn,
  tagsToRecord,
  validatePolicyKmsKey,
  validateStreamSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createOnce,
  explainAwsError,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { examples } from './createStream.examples';
import { assertIamNamesFree } from './preflight';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ownershipChecks,
  targetSchema,
} from './options';

const DEFAULT_RETENTION_HOURS = 24;

/** A well-formed account id for a dry run that cannot resolve the real one. */
const DRY_RUN_ACCOUNT = '000000000000';

/** How long to wait for a stream to become ACTIVE, and the pauses between looks. */
const ACTIVE_WAIT = {
  maxWaitMs: 300_000,
  minDelayMs: 1_000,
  maxDelayMs: 10_000,
};

/**
 * Creates the Kinesis data stream Meter writes to, or reuses the one an
 * earlier run of the same integration made.
 *
 * @public
 */
export function createStreamAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:stream:create',
    description:
      'Creates the Kinesis data stream of a Meter SIEM integration (PROVISIONED or ON_DEMAND, retention, encryption, shard-level metrics IncomingBytes and IncomingRecords, tags) and waits until it is ACTIVE. Re-running reuses the stream it made; it never modifies a stream that is not its own.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...targetSchema,
        capacityMode: z =>
          z.enum(['PROVISIONED', 'ON_DEMAND'], {
            description:
              'PROVISIONED with a fixed shard count (one shard suits most networks), or ON_DEMAND for unpredictable volume',
          }),
        shardCount: z =>
          z
            .number({
              description:
                'Shards for PROVISIONED mode (1 to 500); ignored for ON_DEMAND',
            })
            .int()
            .optional(),
        retentionHours: z =>
          z
            .number({
              description:
                'How long records are kept, 24 to 8760 hours; longer retention costs more',
            })
            .int(),
        encryption: z =>
          z.enum(['NONE', 'KMS_AWS_MANAGED', 'KMS_CUSTOMER_KEY'], {
            description:
              'Server-side encryption: none, the AWS-managed key alias/aws/kinesis, or a customer key',
          }),
        kmsKeyArn: z =>
          z
            .string({
              description:
                'ARN of the customer KMS key (only with KMS_CUSTOMER_KEY), in the stream region',
            })
            .optional(),
      },
      output: {
        streamArn: z => z.string({ description: 'ARN of the stream' }),
        streamName: z => z.string({ description: 'Name of the stream' }),
        accountId: z =>
          z.string({ description: 'AWS account the stream lives in' }),
        region: z => z.string({ description: 'Region of the stream' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      const wanted: StreamSettings = {
        capacityMode: input.capacityMode,
        shardCount: input.shardCount ?? 1,
        retentionHours: input.retentionHours,
        encryption: input.encryption,
        kmsKeyArn: input.kmsKeyArn || undefined,
      };
      assertInput(validateStreamSettings(wanted, input.region));
      const streamName = names.stream;
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        // The account is resolved (a read: STS GetCallerIdentity at most) so
        // that the next steps get ARNs they can check; without credentials
        // the dry run still completes, with a placeholder account it names.
        const accountId = await clients
          .forAccount(input)
          .then(aws => aws.accountId)
          .catch(() => DRY_RUN_ACCOUNT);
        ctx.logger.info(
          `Dry run: would create Kinesis stream ${streamName} in ${
            input.region
          } (account ${
            accountId === DRY_RUN_ACCOUNT
              ? `not known without AWS credentials, shown as ${DRY_RUN_ACCOUNT}`
              : accountId
          }): ${describeSettings(wanted)}, metrics ${ENHANCED_METRICS.join(
            ' and ',
          )}, tags ${tags.map(t => t.Key).join(', ')}`,
        );
        ctx.output(
          'streamArn',
          formatStreamArn(input.region, accountId, streamName),
        );
        ctx.output('streamName', streamName);
        ctx.output('accountId', accountId);
        ctx.output('region', input.region);
        return;
      }

      const aws = await clients.forAccount({ ...input, signal: ctx.signal });
      // The policy step grants the key to Meter; check now, while nothing
      // exists yet, that it will accept it (same account and region).
      if (wanted.encryption === 'KMS_CUSTOMER_KEY') {
        assertInput(
          validatePolicyKmsKey(
            wanted.kmsKeyArn,
            formatStreamArn(aws.region, aws.accountId, streamName),
          ),
        );
      }
      const where = { accountId: aws.accountId, region: aws.region };
      const kinesis = aws.kinesis;
      const call = (permission: string) => ({
        permission,
        resource: `stream ${streamName}`,
        ...where,
      });
      const readTags = async () =>
        tagsToRecord(
          (
            await send(
              () =>
                kinesis.send(
                  new ListTagsForStreamCommand({ StreamName: streamName }),
                ),
              call('kinesis:ListTagsForStream'),
            )
          ).Tags,
        );
      /** A stream of this name exists: reuse it only when it is ours. */
      const assertReusable = async () => {
        const owned = await readTags();
        await ownership.existing(owned, `Kinesis stream ${streamName}`);
        assertOurs(
          owned,
          tags,
          input.name,
          settings.tagKeys,
          streamName,
          where,
        );
      };

      await assertIamNamesFree(aws, {
        integrationName: input.name,
        names,
        streamArn: formatStreamArn(aws.region, aws.accountId, streamName),
        settings,
        existing: ownership.existing,
      });
      const existing = await describe(kinesis, streamName, call);
      if (existing) {
        await assertReusable();
        ctx.logger.info(
          `Kinesis stream ${streamName} already exists and belongs to integration ${input.name}; checking its settings`,
        );
      } else {
        const created = await ctx.checkpoint({
          key: `meter-siem.stream.create.${aws.accountId}.${aws.region}.${streamName}`,
          fn: () =>
            createOnce(
              () =>
                kinesis.send(
                  new CreateStreamCommand({
                    StreamName: streamName,
                    StreamModeDetails: { StreamMode: wanted.capacityMode },
                    ShardCount:
                      wanted.capacityMode === 'PROVISIONED'
                        ? wanted.shardCount
                        : undefined,
                    Tags: Object.fromEntries(tags.map(t => [t.Key, t.Value])),
                  }),
                ),
              {
                ...call('kinesis:CreateStream'),
                what: `Kinesis stream ${streamName} (account ${aws.accountId}, region ${aws.region})`,
              },
            ),
        });
        if (created === 'existed') {
          // An attempt whose answer was lost made it; tags say whose it is.
          await assertReusable();
        }
        ctx.logger.info(
          `Creating Kinesis stream ${streamName} in ${aws.region} (account ${
            aws.accountId
          }): ${describeSettings(wanted)}`,
        );
      }

      let stream = await waitActive(kinesis, streamName, call, ctx.signal);
      // The metrics are the last setting a run applies: a stream that has
      // them was set up completely, and a re-run must not change it. One
      // without them was left half-way by a failed run, which is completed.
      assertSameSettings(stream, wanted, streamName, where, {
        setUpCompletely: !!existing && hasEnhancedMetrics(stream),
      });

      // Tagging is repeated because an emulator may drop CreateStream's tags,
      // and because a run interrupted after the create must still converge.
      const current = await readTags();
      const missing = tags.filter(t => current[t.Key] === undefined);
      if (missing.length > 0) {
        await send(
          () =>
            kinesis.send(
              new AddTagsToStreamCommand({
                StreamName: streamName,
                Tags: Object.fromEntries(missing.map(t => [t.Key, t.Value])),
              }),
            ),
          call('kinesis:AddTagsToStream'),
        );
      }

      if (
        (stream.RetentionPeriodHours ?? DEFAULT_RETENTION_HOURS) <
        wanted.retentionHours
      ) {
        await send(
          () =>
            kinesis.send(
              new IncreaseStreamRetentionPeriodCommand({
                StreamName: streamName,
                RetentionPeriodHours: wanted.retentionHours,
              }),
            ),
          call('kinesis:IncreaseStreamRetentionPeriod'),
        );
        ctx.logger.info(
          `Set retention of ${streamName} to ${wanted.retentionHours} hours`,
        );
        stream = await waitActive(kinesis, streamName, call, ctx.signal);
      }

      if (wanted.encryption !== 'NONE' && stream.EncryptionType !== 'KMS') {
        await send(
          () =>
            kinesis.send(
              new StartStreamEncryptionCommand({
                StreamName: streamName,
                EncryptionType: 'KMS',
                KeyId: keyOf(wanted),
              }),
            ),
          call('kinesis:StartStreamEncryption'),
        );
        ctx.logger.info(
          `Enabled KMS encryption of ${streamName} with ${keyOf(wanted)}`,
        );
        stream = await waitActive(kinesis, streamName, call, ctx.signal);
      }

      if (!hasEnhancedMetrics(stream)) {
        await send(
          () =>
            kinesis.send(
              new EnableEnhancedMonitoringCommand({
                StreamName: streamName,
                ShardLevelMetrics: [...ENHANCED_METRICS],
              }),
            ),
          call('kinesis:EnableEnhancedMonitoring'),
        );
        ctx.logger.info(
          `Enabled shard-level metrics ${ENHANCED_METRICS.join(
            ' and ',
          )} on ${streamName}`,
        );
        stream = await waitActive(kinesis, streamName, call, ctx.signal);
      }

      ctx.logger.info(
        `Kinesis stream ${streamName} is ${stream.StreamStatus}: ${stream.StreamARN}`,
      );
      ctx.output('streamArn', stream.StreamARN!);
      ctx.output('streamName', streamName);
      ctx.output('accountId', aws.accountId);
      ctx.output('region', aws.region);
    },
  });
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

function describeSettings(settings: StreamSettings): string {
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
  kinesis: KinesisClient,
  streamName: string,
  call: CallContext,
): Promise<StreamDescriptionSummary | undefined> {
  const found = await sendIfExists(
    () =>
      kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      ),
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
  kinesis: KinesisClient,
  streamName: string,
  call: CallContext,
  signal?: AbortSignal,
): Promise<StreamDescriptionSummary> {
  const deadline = Date.now() + ACTIVE_WAIT.maxWaitMs;
  for (let pause = ACTIVE_WAIT.minDelayMs; ; ) {
    const stream = await describe(kinesis, streamName, call);
    if (!stream) {
      throw new Error(
        `Kinesis stream ${streamName} disappeared while it was being set up (deleted in AWS meanwhile?). Run the template again to create it anew.`,
      );
    }
    if (stream.StreamStatus === 'ACTIVE') return stream;
    if (Date.now() + pause > deadline) {
      throw new Error(
        `Kinesis stream ${streamName} was still ${stream.StreamStatus} after ${
          ACTIVE_WAIT.maxWaitMs / 1000
        } seconds (AWS console: Kinesis > Data streams > ${streamName} shows its status). Run the template again once it is ACTIVE: the run continues from there.`,
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

function assertOurs(
  current: Record<string, string>,
  wanted: Tag[],
  integrationName: string,
  tagKeys: { integration: string; managedBy: string },
  streamName: string,
  where: { accountId: string; region: string },
) {
  if (
    current[tagKeys.integration] !== integrationName ||
    current[tagKeys.managedBy] !== MANAGED_BY_VALUE
  ) {
    throw new ConflictError(
      `A Kinesis stream named ${streamName} already exists in account ${where.accountId}, region ${where.region}, and was not created by Backstage for integration ${integrationName} (its tags ${tagKeys.integration}/${tagKeys.managedBy} do not say so). It was left untouched. Choose another integration name, or remove or rename that stream.`,
    );
  }
  const differing = wanted.filter(
    t => current[t.Key] !== undefined && current[t.Key] !== t.Value,
  );
  if (differing.length > 0) {
    throw new ConflictError(
      `Kinesis stream ${streamName} belongs to integration ${integrationName} but its tags differ from this run: ${differing
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
  streamName: string,
  where: { accountId: string; region: string },
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
      `Kinesis stream ${streamName} (account ${where.accountId}, region ${
        where.region
      }) already exists with other settings: ${differences.join(
        '; ',
      )}. It was left untouched: a run reuses an existing integration only with its current settings. Run again with those, or change the stream first (AWS console: Kinesis > Data streams > ${streamName} > Configuration, or the AWS CLI) and run again.`,
    );
  }
}
