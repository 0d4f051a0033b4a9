import { NotAllowedError } from '@backstage/errors';
import {
  LIMITS,
  STREAM_UPDATE_LIMITS,
  StreamUpdateRequest,
  describeStreamRequest,
  parseArn,
  planStreamUpdate,
  validateStreamUpdate,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readStreamForUpdate, updateStream } from '../resources/stream';
import { examples } from './updateStream.examples';
import { announceChange, integrationSchema, openIntegration } from './existing';
import { ActionOptions, assertInput } from './options';

/** Errors that refuse the change, which a dry run reports like a run. */
const REFUSALS = ['InputError', 'ConflictError', 'NotFoundError'];

/**
 * Changes the capacity mode, shard count, retention and encryption of an
 * existing integration's stream, only what differs from what it is now.
 *
 * @public
 */
export function createUpdateStreamAction(options: ActionOptions) {
  return createTemplateAction({
    id: 'meter-siem:stream:update',
    description: `Changes the capacity mode, shard count, retention and encryption of a Meter SIEM integration's Kinesis stream. It reads the stream (DescribeStreamSummary) and changes only what differs, in this order, waiting until the stream is ACTIVE after each call: mode (UpdateStreamMode; AWS allows ${STREAM_UPDATE_LIMITS.modeSwitchesPerDay} switches per stream in a rolling 24 hours and refuses more), shard count (UpdateShardCount with UNIFORM_SCALING, each call at most doubling or halving the open shards, so 1 to 4 takes 2 calls; a change needing more than the ${STREAM_UPDATE_LIMITS.shardCountCallsPerDay} calls AWS allows per rolling 24 hours is refused), retention (${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max} hours), encryption (StartStreamEncryption or StopStreamEncryption; a customer key is first granted kms:GenerateDataKey in the integration's write policy, and a key no longer used is then removed from it). Values left out keep the stream's. Bad input is refused before any AWS call, naming each field. Only members of the integration's owning group (or the admin group) may run it, and a stream whose tags do not say Backstage made it for this integration is refused untouched. A dry run writes nothing: it reads the stream and the write policy to show the change, or, when it cannot read them, the wanted values.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
        capacityMode: z =>
          z
            .enum(['PROVISIONED', 'ON_DEMAND'], {
              description:
                'PROVISIONED with a fixed shard count, or ON_DEMAND; omit to keep the current mode',
            })
            .optional(),
        shardCount: z =>
          z
            .number({
              description: `Open shards wanted (${LIMITS.shardCount.min} to ${LIMITS.shardCount.max}), only for PROVISIONED; omit to keep them`,
            })
            .int()
            .optional(),
        retentionHours: z =>
          z
            .number({
              description: `Retention, ${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max} hours; omit to keep it`,
            })
            .int()
            .optional(),
        encryption: z =>
          z
            .enum(['NONE', 'KMS_AWS_MANAGED', 'KMS_CUSTOMER_KEY'], {
              description:
                'Server-side encryption: none, the AWS-managed key alias/aws/kinesis, or a customer key; omit to keep it',
            })
            .optional(),
        kmsKeyArn: z =>
          z
            .string({
              description:
                "ARN of the customer KMS key (only with KMS_CUSTOMER_KEY), in the stream's account and region",
            })
            .optional(),
      },
      output: {
        changes: z =>
          z.array(z.string(), {
            description:
              'What changed, one line per setting (e.g. "shards: 1 → 4 (2 calls: 1→2→4)"); empty when nothing did. In a dry run, what would change.',
          }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { integration, connect } = await openIntegration(
        options,
        ctx,
        input.integration,
        'resize or reconfigure',
      );
      const { streamArn, policyArn, accountId } = integration;
      if (!streamArn) {
        throw new NotAllowedError(
          `${integration.entityRef} has no Kinesis stream to change.`,
        );
      }
      assertInput(validateStreamUpdate(input, streamArn));
      const request: StreamUpdateRequest = {
        ...input,
        kmsKeyArn: input.kmsKeyArn || undefined,
      };
      const read = { policyArn, settings: options.settings };

      if (ctx.isDryRun) {
        const plan = await options.clients
          .forAccount({
            accountId,
            region: parseArn(streamArn).region,
            signal: ctx.signal,
          })
          .then(aws => readStreamForUpdate(aws, streamArn, read))
          .then(({ state }) => planStreamUpdate(state, request))
          .catch(error => {
            if (REFUSALS.includes(error?.name)) throw error;
            ctx.logger.warn(`Dry run: could not read the stream: ${error}`);
            return undefined;
          });
        if (plan) assertInput(plan.issues);
        const changes = plan?.changes ?? describeStreamRequest(request);
        ctx.logger.info(
          `Dry run: ${
            plan ? 'would change' : 'would set (current values unknown)'
          } ${streamArn}: ${
            changes.join('; ') || 'nothing, it already has these settings'
          }`,
        );
        ctx.output('changes', changes);
        return;
      }

      const aws = await connect();
      const { state } = await readStreamForUpdate(aws, streamArn, read);
      const plan = planStreamUpdate(state, request);
      assertInput(plan.issues);
      if (plan.steps.length === 0) {
        ctx.logger.info(`${streamArn} already has these settings`);
        ctx.output('changes', []);
        return;
      }
      ctx.logger.info(`Changing ${streamArn}: ${plan.changes.join('; ')}`);
      await updateStream(aws, streamArn, plan.steps, {
        logger: ctx.logger,
        signal: ctx.signal,
        policyArn,
      });
      await announceChange(options.events, integration);
      ctx.output('changes', plan.changes);
    },
  });
}
