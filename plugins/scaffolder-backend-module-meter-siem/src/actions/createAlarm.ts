import {
  silenceAlarmName,
  validateAlarmTopic,
  validateResourceArn,
  parseArn,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ensureAlarm } from '../resources/alarm';
import { examples } from './createAlarm.examples';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ensureContext,
  ownershipChecks,
  targetSchema,
} from './options';

/** Zod field shared by both alarm actions. */
export const alarmTopicSchema = (z: typeof import('zod/v3').z) =>
  z
    .string({
      description:
        "SNS topic ARN the alarm notifies when it fires and when it clears, in the stream's region; omit or leave empty for an alarm that notifies nobody (its state still shows on the integration's page)",
    })
    .optional();

/**
 * Creates the alarm on silence Meter's guide recommends for a new
 * integration's stream, tagged like the rest.
 *
 * @public
 */
export function createAlarmAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:alarm:create',
    description:
      "Creates the CloudWatch alarm of a new Meter SIEM integration: the stream's IncomingRecords summed over 10 minutes below 1, missing data breaching, notifying an optional SNS topic; tagged like the integration's other resources. Re-running reuses it; it never modifies an alarm of that name that is not its own.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...targetSchema,
        streamArn: z =>
          z.string({
            description:
              'ARN of the integration stream (the output of meter-siem:stream:create)',
          }),
        alarmTopicArn: alarmTopicSchema,
      },
      output: {
        alarmArn: z => z.string({ description: 'ARN of the alarm' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { tags } = describeTarget(input, settings);
      const topicArn = input.alarmTopicArn || undefined;
      assertInput([
        ...validateResourceArn(input.streamArn, 'streamArn', 'stream', input),
        ...validateAlarmTopic(topicArn, input.region),
      ]);
      const { accountId } = parseArn(input.streamArn);
      const alarmName = silenceAlarmName(resourceName(input.streamArn));
      const alarmArn = `arn:${parseArn(input.streamArn).partition}:cloudwatch:${
        input.region
      }:${accountId}:alarm:${alarmName}`;
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create CloudWatch alarm ${alarmName} (IncomingRecords below 1 in 10 minutes) notifying ${
            topicArn ?? 'nobody'
          }`,
        );
        ctx.output('alarmArn', alarmArn);
        return;
      }

      const aws = await clients.forAccount({
        accountId,
        region: input.region,
        signal: ctx.signal,
      });
      const alarm = await ensureAlarm(
        aws,
        resourceName(input.streamArn),
        topicArn ? [topicArn] : [],
        ensureContext(ctx, input, tags, settings, ownership),
      );
      ctx.output('alarmArn', alarm.arn);
    },
  });
}
