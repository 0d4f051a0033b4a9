import {
  ENHANCED_METRICS,
  LIMITS,
  StreamSettings,
  streamArn as formatStreamArn,
  validatePolicyKmsKey,
  validateStreamSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { describeSettings, ensureStream } from '../resources/stream';
import { examples } from './createStream.examples';
import { assertIamNamesFree } from './preflight';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ensureContext,
  ownershipChecks,
  targetSchema,
} from './options';

/** A well-formed account id for a dry run that cannot resolve the real one. */
const DRY_RUN_ACCOUNT = '000000000000';

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
              description: `Shards for PROVISIONED mode (${LIMITS.shardCount.min} to ${LIMITS.shardCount.max}); ignored for ON_DEMAND`,
            })
            .int()
            .optional(),
        retentionHours: z =>
          z
            .number({
              description: `How long records are kept, ${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max} hours; longer retention costs more`,
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
        const accountId = await dryRunAccount(clients, input);
        ctx.logger.info(
          `Dry run: would create Kinesis stream ${streamName} in ${
            input.region
          } (account ${accountId}): ${describeSettings(
            wanted,
          )}, metrics ${ENHANCED_METRICS.join(' and ')}, tags ${tags
            .map(t => t.Key)
            .join(', ')}`,
        );
        outputs(ctx, input.region, accountId.slice(0, 12), streamName);
        return;
      }

      const aws = await clients.forAccount({ ...input, signal: ctx.signal });
      const arn = formatStreamArn(aws.region, aws.accountId, streamName);
      // The policy step grants the key to Meter; check now, while nothing
      // exists yet, that it will accept it (same account and region).
      if (wanted.encryption === 'KMS_CUSTOMER_KEY') {
        assertInput(validatePolicyKmsKey(wanted.kmsKeyArn, arn));
      }
      await assertIamNamesFree(aws, {
        integrationName: input.name,
        names,
        streamArn: arn,
        settings,
        existing: ownership.existing,
      });
      const stream = await ensureStream(
        aws,
        streamName,
        wanted,
        ensureContext(ctx, input, tags, settings, ownership),
      );

      ctx.logger.info(
        `Kinesis stream ${streamName} is ${stream.StreamStatus}: ${stream.StreamARN}`,
      );
      outputs(ctx, aws.region, aws.accountId, streamName);
    },
  });
}

/** The step's outputs: where the stream is, for the next steps. */
function outputs(
  ctx: { output(name: string, value: string): void },
  region: string,
  accountId: string,
  streamName: string,
) {
  ctx.output('streamArn', formatStreamArn(region, accountId, streamName));
  ctx.output('streamName', streamName);
  ctx.output('accountId', accountId);
  ctx.output('region', region);
}

/**
 * The account a dry run names. It is resolved (a read: STS
 * GetCallerIdentity at most) so that the next steps get ARNs they can
 * check; without credentials the dry run still completes, with a
 * placeholder account it says is one.
 */
async function dryRunAccount(
  clients: ActionOptions['clients'],
  input: { accountId?: string; region: string },
): Promise<string> {
  return clients
    .forAccount(input)
    .then(aws => aws.accountId)
    .catch(() => `${DRY_RUN_ACCOUNT}, not known without AWS credentials`);
}
