import {
  ENHANCED_METRICS,
  streamArn as formatStreamArn,
  validatePolicyKmsKey,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod/v3';
import {
  describeSettings,
  ensureStream,
  ensureStreamCreated,
} from '../resources/stream';
import { examples } from './createStream.examples';
import { assertIamNamesFree } from './preflight';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ensureContext,
  ownershipChecks,
  readStreamSettings,
  streamSettingsSchema,
  targetSchema,
} from './options';

type Z = typeof zod;

/** A well-formed account id for a dry run that cannot resolve the real one. */
const DRY_RUN_ACCOUNT = '000000000000';

/** Where the stream is, for the next steps (create and configure alike). */
export const streamOutputSchema = {
  streamArn: (z: Z) => z.string({ description: 'ARN of the stream' }),
  streamName: (z: Z) => z.string({ description: 'Name of the stream' }),
  accountId: (z: Z) =>
    z.string({ description: 'AWS account the stream lives in' }),
  region: (z: Z) => z.string({ description: 'Region of the stream' }),
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
        ...streamSettingsSchema,
        configure: z =>
          z
            .boolean({
              description:
                "Wait until the stream is ACTIVE and apply retention, encryption and the shard-level metrics in this step (the default). false: return as soon as AWS accepted the stream, while it is still CREATING, and let a later meter-siem:stream:configure step apply them, so that the steps between (the IAM policy and role, the alarm) run during AWS's wait.",
            })
            .optional(),
      },
      output: streamOutputSchema,
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      const wanted = readStreamSettings(input);
      const streamName = names.stream;
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();
      // The schema says boolean; a caller of the handler itself may not.
      if (
        input.configure !== undefined &&
        typeof input.configure !== 'boolean'
      ) {
        assertInput([{ field: 'configure', message: 'must be true or false' }]);
      }
      const configure = input.configure !== false;

      if (ctx.isDryRun) {
        const accountId = await dryRunAccount(clients, input);
        ctx.logger.info(
          `Dry run: would create Kinesis stream ${streamName} in ${
            input.region
          } (account ${accountId}): ${describeSettings(
            wanted,
          )}, metrics ${ENHANCED_METRICS.join(' and ')}, tags ${tags
            .map(t => t.Key)
            .join(', ')}${
            configure
              ? ''
              : ' (retention, encryption and metrics by a later meter-siem:stream:configure step)'
          }`,
        );
        streamOutputs(ctx, input.region, accountId.slice(0, 12), streamName);
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
      const ensure = ensureContext(ctx, input, tags, settings, ownership);
      const stream = configure
        ? await ensureStream(aws, streamName, wanted, ensure)
        : (await ensureStreamCreated(aws, streamName, wanted, ensure)).stream;

      ctx.logger.info(
        `Kinesis stream ${streamName} is ${stream.StreamStatus}: ${stream.StreamARN}`,
      );
      streamOutputs(ctx, aws.region, aws.accountId, streamName);
    },
  });
}

/** The step's outputs: where the stream is, for the next steps. */
export function streamOutputs(
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
export async function dryRunAccount(
  clients: ActionOptions['clients'],
  input: { accountId?: string; region: string },
): Promise<string> {
  return clients
    .forAccount(input)
    .then(aws => aws.accountId)
    .catch(() => `${DRY_RUN_ACCOUNT}, not known without AWS credentials`);
}
