import {
  resourceName,
  silenceAlarmName,
  tagsForNewPart,
  validateAlarmTopic,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { NotAllowedError } from '@backstage/errors';
import { ensureAlarm } from '../resources/alarm';
import { streamTags } from '../resources/tags';
import { examples } from './applyAlarm.examples';
import { alarmTopicSchema } from './createAlarm';
import { announceChange, integrationSchema, openIntegration } from './existing';
import { ActionOptions, assertInput } from './options';

/**
 * Adds the alarm on silence to an existing integration, or points its alarm
 * at another SNS topic.
 *
 * @public
 */
export function createApplyAlarmAction(options: ActionOptions) {
  const { settings } = options;
  return createTemplateAction({
    id: 'meter-siem:alarm:apply',
    description:
      "Adds to an existing Meter SIEM integration the CloudWatch alarm Meter's guide recommends (the stream's IncomingRecords summed over 10 minutes below 1, missing data breaching), notifying an optional SNS topic, or updates the integration's alarm to notify another topic. Only members of the integration's owning group (or the admin group) may run it. It never modifies an alarm of that name that is not the integration's.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
        alarmTopicArn: alarmTopicSchema,
      },
      output: {
        alarmArn: z => z.string({ description: 'ARN of the alarm' }),
        changed: z =>
          z.boolean({
            description: 'Whether the alarm was created or updated',
          }),
      },
    },
    async handler(ctx) {
      const topicArn = ctx.input.alarmTopicArn || undefined;
      const { integration, connect } = await openIntegration(
        options,
        ctx,
        ctx.input.integration,
        'add an alarm to',
      );
      const { streamArn } = integration;
      if (!streamArn) {
        throw new NotAllowedError(
          `${integration.entityRef} has no stream to watch: its role names no particular stream.`,
        );
      }
      assertInput(validateAlarmTopic(topicArn, integration.region));
      const streamName = resourceName(streamArn);
      const notifies = topicArn ? `notifying ${topicArn}` : 'notifying nobody';
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create or update CloudWatch alarm ${silenceAlarmName(
            streamName,
          )} on ${streamArn} (IncomingRecords below 1 in 10 minutes), ${notifies}`,
        );
        ctx.output('alarmArn', '');
        ctx.output('changed', false);
        return;
      }

      const aws = await connect();
      const { integrationName, tags } = tagsForNewPart(
        await streamTags(aws, streamArn).read(),
        {
          ownerRef: integration.ownerRef,
          fallbackName: streamName,
          tagKeys: settings.tagKeys,
        },
      );
      const alarm = await ensureAlarm(
        aws,
        streamName,
        topicArn ? [topicArn] : [],
        {
          integrationName,
          tags,
          tagKeys: settings.tagKeys,
          // openIntegration checked the user may act on the integration.
          mayChange: async () => {},
          checkpoint: step => ctx.checkpoint(step),
          logger: ctx.logger,
          signal: ctx.signal,
        },
      );
      if (alarm.changed) await announceChange(options.events, integration);
      ctx.output('alarmArn', alarm.arn);
      ctx.output('changed', alarm.changed);
    },
  });
}
