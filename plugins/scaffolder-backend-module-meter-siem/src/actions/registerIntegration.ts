import { EventsService } from '@backstage/plugin-events-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  INTEGRATION_CREATED_TOPIC,
  IntegrationCreatedEvent,
  integrationEntityName,
  parseArn,
  resourceName,
  rules,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { examples } from './registerIntegration.examples';
import { assertInput } from './options';

/**
 * Announces a new integration so that the catalog provider registers it at
 * once instead of at its next full sync.
 *
 * @public
 */
export function createRegisterIntegrationAction(options: {
  events: EventsService;
}) {
  return createTemplateAction({
    id: 'meter-siem:catalog:register',
    description:
      'Asks the Meter SIEM catalog provider to register a new integration right away (through the events service), and outputs the entity ref of its catalog entity.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Integration name' }),
        streamArn: z =>
          z.string({ description: 'ARN of the integration stream' }),
        roleArn: z => z.string({ description: 'ARN of the integration role' }),
      },
      output: {
        entityRef: z =>
          z.string({
            description: 'Entity ref of the integration in the catalog',
          }),
      },
    },
    async handler(ctx) {
      const { name, streamArn, roleArn } = ctx.input;
      assertInput(rules.integrationName(name, 'name'));
      const stream = parseArn(streamArn);
      const event: IntegrationCreatedEvent = {
        accountId: stream.accountId,
        region: stream.region,
        streamName: resourceName(streamArn),
        roleName: resourceName(roleArn),
      };
      const entityRef = stringifyEntityRef({
        kind: 'Resource',
        namespace: 'default',
        name: integrationEntityName(name, stream.accountId),
      });
      if (!ctx.isDryRun) {
        await options.events.publish({
          topic: INTEGRATION_CREATED_TOPIC,
          eventPayload: event,
        });
        ctx.logger.info(`Asked the catalog to register ${entityRef}`);
      }
      ctx.output('entityRef', entityRef);
    },
  });
}
