import { ENHANCED_METRICS } from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { configureStream, describeSettings } from '../resources/stream';
import {
  dryRunAccount,
  streamOutputSchema,
  streamOutputs,
} from './createStream';
import { examples } from './configureStream.examples';
import {
  ActionOptions,
  describeTarget,
  ensureContext,
  ownershipChecks,
  readStreamSettings,
  streamSettingsSchema,
  targetSchema,
} from './options';

/**
 * Finishes the stream a `meter-siem:stream:create` step with
 * `configure: false` started: waits until AWS made it ACTIVE, then applies
 * retention, encryption and the shard-level metrics. Placed after the IAM
 * and alarm steps, it lets them run during AWS's CREATING wait.
 *
 * @public
 */
export function createConfigureStreamAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:stream:configure',
    description:
      "Waits until the Kinesis stream of a Meter SIEM integration is ACTIVE, then applies its retention, encryption and shard-level metrics (IncomingBytes, IncomingRecords), waiting after each. The stream must be this integration's (its tags say so); one set up completely is never changed (a difference is a conflict). Use it after meter-siem:stream:create with configure: false.",
    examples,
    supportsDryRun: true,
    schema: {
      input: { ...targetSchema, ...streamSettingsSchema },
      output: streamOutputSchema,
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      const wanted = readStreamSettings(input);
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        const accountId = await dryRunAccount(clients, input);
        ctx.logger.info(
          `Dry run: would wait until Kinesis stream ${names.stream} in ${
            input.region
          } (account ${accountId}) is ACTIVE, then apply: ${describeSettings(
            wanted,
          )}, metrics ${ENHANCED_METRICS.join(' and ')}`,
        );
        streamOutputs(ctx, input.region, accountId.slice(0, 12), names.stream);
        return;
      }

      const aws = await clients.forAccount({ ...input, signal: ctx.signal });
      const stream = await configureStream(
        aws,
        names.stream,
        wanted,
        ensureContext(ctx, input, tags, settings, ownership),
      );
      ctx.logger.info(
        `Kinesis stream ${names.stream} is ${stream.StreamStatus}, set up: ${stream.StreamARN}`,
      );
      streamOutputs(ctx, aws.region, aws.accountId, names.stream);
    },
  });
}
