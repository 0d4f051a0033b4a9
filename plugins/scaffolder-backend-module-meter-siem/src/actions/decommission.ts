import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATIONS,
  AWS_REGIONS,
  INTEGRATION_REMOVED_TOPIC,
  IntegrationRemovedEvent,
  MANAGED_BY_VALUE,
  TagKeys,
  parseAuditFacts,
  resourceName,
  silenceAlarmName,
} from '@internal/backstage-plugin-meter-siem-common';
import { CatalogIntegration } from '@internal/backstage-plugin-meter-siem-node';
import {
  findParts,
  liveIntegrationName,
  planRemoval,
  removeParts,
} from '../resources/decommission';
import { examples } from './decommission.examples';
import { integrationSchema, openIntegration } from './existing';
import { ActionOptions, assertInput } from './options';

/**
 * Removes an integration: its alarm, policy, role and stream in AWS, then
 * its entities from the catalog.
 *
 * @public
 */
export function createDecommissionAction(options: ActionOptions) {
  const keys = options.settings.tagKeys;
  return createTemplateAction({
    id: 'meter-siem:integration:decommission',
    description:
      "Decommissions a Meter SIEM integration: deletes its CloudWatch alarm on silence, detaches and deletes its IAM policy (with its versions), deletes its IAM role and its Kinesis stream (Meter's events stop, and what the stream holds is lost), then removes its entities from the catalog at once. Only members of the integration's owning group (or the admin group) may run it, only once `confirm` is the integration's name as given at creation, and only on resources Backstage created for it (tagged managed-by and with its name): if any part is not, or has something else attached, nothing is deleted. Parts already gone are skipped, so a re-run after a failure finishes the job.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
        confirm: z =>
          z
            .string({
              description:
                "The integration's name as given at creation (its meter-siem-integration tag), e.g. hq-network, typed to confirm the deletion. A dry run does without it.",
            })
            .optional(),
      },
      output: {
        removed: z =>
          z.array(z.string(), {
            description:
              'ARNs of the AWS resources this run deleted (parts already gone are not listed)',
          }),
        entityRefs: z =>
          z.array(z.string(), {
            description: 'Entity refs removed from the catalog',
          }),
      },
    },
    async handler(ctx) {
      const { integration } = await openIntegration(
        options,
        ctx,
        ctx.input.integration,
        'decommission',
      );
      const name = catalogIntegrationName(integration, keys);
      const entityRefs = entityRefsOf(integration);
      if (ctx.isDryRun) {
        ctx.logger.info(dryRunListing(integration, name, entityRefs));
        if (ctx.input.confirm !== name) {
          ctx.logger.info(confirmRule(ctx.input.confirm, name));
        }
        ctx.output('removed', []);
        ctx.output('entityRefs', []);
        return;
      }
      assertConfirmed(ctx.input.confirm, name);

      const aws = await options.clients.forAccount({
        accountId: integration.accountId,
        region: integration.region ?? AWS_REGIONS[0],
        signal: ctx.signal,
      });
      const found = await findParts(aws, integration);
      // AWS has the last word: the catalog may be behind it.
      const liveName = liveIntegrationName(found, keys) ?? name;
      assertConfirmed(ctx.input.confirm, liveName);
      const plan = planRemoval(found, liveName, keys, integration.entityRef);
      plan.leftAlone.forEach(note => ctx.logger.warn(note));
      const removed = await removeParts(aws, plan, ctx.logger);

      const event: IntegrationRemovedEvent = {
        accountId: integration.accountId,
        entityRefs,
      };
      if (options.events) {
        await options.events.publish({
          topic: INTEGRATION_REMOVED_TOPIC,
          eventPayload: event,
        });
      } else {
        ctx.logger.warn(
          "No events service: the catalog drops the integration's entities at its next sync of the account",
        );
      }
      ctx.output('removed', removed);
      ctx.output('entityRefs', options.events ? entityRefs : []);
    },
  });
}

/**
 * The integration's name as given at creation, as the catalog last read
 * its tags (role first, then stream). An integration none of whose parts
 * carries the product's tags was made by hand: the product does not delete
 * it, and nothing adopts it (its tags are the product's own to write).
 */
function catalogIntegrationName(
  integration: CatalogIntegration,
  keys: TagKeys,
): string {
  const annotations = integration.entity.metadata.annotations ?? {};
  const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts]);
  const tagged = [facts?.roleTags, facts?.streamTags].find(
    tags => tags?.[keys.managedBy] === MANAGED_BY_VALUE,
  );
  const name = tagged?.[keys.integration];
  if (!name) {
    throw new NotAllowedError(
      `${
        integration.entityRef
      } was not created by Backstage: neither its role nor its stream carries the tags ${
        keys.managedBy
      }=${MANAGED_BY_VALUE} and ${
        keys.integration
      }=<name> (as the catalog last read them), so it is not decommissioned here. Delete its resources by hand in the AWS console (${[
        integration.streamArn,
        integration.roleArn,
        integration.policyArn,
      ]
        .filter(Boolean)
        .join(', ')}); the catalog drops it at its next sync.`,
    );
  }
  return name;
}

function confirmRule(confirm: string | undefined, name: string): string {
  return `confirm ${
    confirm ? `"${confirm}" is not` : 'must be'
  } the integration's name as given at creation: type "${name}" to delete it`;
}

/** Throws InputError naming `confirm` unless it is exactly `name`. */
function assertConfirmed(confirm: string | undefined, name: string): void {
  if (confirm !== name) {
    assertInput([
      {
        field: 'confirm',
        message: `must be the integration's name as given at creation: type "${name}"${
          confirm ? ` (not "${confirm}")` : ''
        } to delete it`,
      },
    ]);
  }
}

/** The integration entity and its parts' entities (`spec.dependsOn`). */
function entityRefsOf(integration: CatalogIntegration): string[] {
  const dependsOn = integration.entity.spec?.dependsOn;
  const parts = Array.isArray(dependsOn)
    ? dependsOn.filter((ref): ref is string => typeof ref === 'string')
    : [];
  return [
    integration.entityRef,
    ...parts.map(ref =>
      stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'resource',
          defaultNamespace: 'default',
        }),
      ),
    ),
  ];
}

function dryRunListing(
  integration: CatalogIntegration,
  name: string,
  entityRefs: string[],
): string {
  const { streamArn, roleArn, policyArn } = integration;
  const goes = [
    streamArn &&
      `CloudWatch alarm ${silenceAlarmName(
        resourceName(streamArn),
      )} (if it exists and is the integration's)`,
    policyArn &&
      `IAM policy ${policyArn} (detached from the role, with its versions)`,
    roleArn && `IAM role ${roleArn}`,
    streamArn && `Kinesis stream ${streamArn} (Meter's events stop)`,
  ].filter(Boolean);
  return `Dry run: would decommission integration ${name} (${
    integration.entityRef
  }): delete, in this order, ${goes.join('; ')}; then remove ${entityRefs.join(
    ', ',
  )} from the catalog. Nothing is deleted if any part no longer carries the tags ${name} was created with, or has something else attached.`;
}
