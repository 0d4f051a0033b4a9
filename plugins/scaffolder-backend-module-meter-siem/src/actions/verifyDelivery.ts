import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  DELIVERY_LOOKBACK_MINUTES,
  describeDelivery,
  resourceName,
  validateLookbackMinutes,
} from '@internal/backstage-plugin-meter-siem-common';
import { readDelivery } from '@internal/backstage-plugin-meter-siem-node';
import { integrationSchema, openIntegration } from './existing';
import { examples } from './verifyDelivery.examples';
import { ActionOptions, assertInput } from './options';

const { min, max } = DELIVERY_LOOKBACK_MINUTES;

/**
 * Checks that Meter delivers to an integration's stream: reads every shard
 * for Meter's test event and reads the stream's IncomingRecords metric.
 * It reads only; see `readDelivery` for the permissions it needs.
 *
 * @public
 */
export function createVerifyDeliveryAction(options: ActionOptions) {
  return createTemplateAction({
    id: 'meter-siem:delivery:verify',
    description: `Checks that Meter delivers to a Meter SIEM integration's Kinesis stream: reads every shard for the records received in the last minutes (default ${DELIVERY_LOOKBACK_MINUTES.default}) and the stream's IncomingRecords over the last hour. Status Verified when Meter's test event (type TYPE_TEST, press "Send test event" in Meter's Dashboard first) was read, Receiving when events arrive but no test event was read, Silent when nothing arrived. Only members of the integration's owning group (or the admin group) may run it. It reads only.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
        sinceMinutes: z =>
          z
            .number({
              description: `How many minutes back to read the stream, ${min} to ${max} (default ${DELIVERY_LOOKBACK_MINUTES.default})`,
            })
            .optional(),
      },
      output: {
        status: z =>
          z
            .enum(['Verified', 'Receiving', 'Silent'], {
              description:
                'Verified (the test event was read), Receiving (events, no test event) or Silent (nothing). Absent in a dry run, which reads nothing.',
            })
            .optional(),
        testEventId: z =>
          z
            .string({ description: 'id of the latest test event read' })
            .optional(),
        testEventTime: z =>
          z
            .string({ description: 'time of the latest test event read' })
            .optional(),
        latestEventTime: z =>
          z
            .string({ description: 'time of the latest event of any type' })
            .optional(),
        latestEventType: z =>
          z
            .string({ description: 'type of the latest event of any type' })
            .optional(),
        incomingRecords: z =>
          z
            .number({
              description:
                "Sum of the stream's IncomingRecords metric over the last hour",
            })
            .optional(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      assertInput(validateLookbackMinutes(input.sinceMinutes));
      const minutes = input.sinceMinutes ?? DELIVERY_LOOKBACK_MINUTES.default;
      const { integration, connect } = await openIntegration(
        options,
        ctx,
        input.integration,
        'verify delivery of',
      );
      const { streamArn } = integration;
      if (!streamArn) {
        throw new InputError(
          `integration ${integration.entityRef} has no Kinesis stream to read`,
        );
      }
      const since = new Date(Date.now() - minutes * 60_000);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would read every shard of ${streamArn} from ${since.toISOString()} (the last ${minutes} minutes) for Meter's test event, and its IncomingRecords metric of the last hour. Nothing was read.`,
        );
        return;
      }

      const aws = await connect();
      const report = await readDelivery(aws, resourceName(streamArn), {
        since,
        signal: ctx.signal,
      });
      ctx.logger.info(describeDelivery(report));
      ctx.output('status', report.status);
      if (report.testEvent) {
        ctx.output('testEventId', report.testEvent.id);
        ctx.output('testEventTime', report.testEvent.time);
      }
      if (report.latestEvent) {
        ctx.output('latestEventTime', report.latestEvent.time);
        ctx.output('latestEventType', report.latestEvent.type);
      }
      ctx.output('incomingRecords', report.incomingRecordsLastHour);
    },
  });
}
