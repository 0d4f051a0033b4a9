import { ActionContext } from '@backstage/plugin-scaffolder-node';
import type { z as zod } from 'zod/v3';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AWS_REGIONS,
  INTEGRATION_CREATED_TOPIC,
  IntegrationCreatedEvent,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  CatalogIntegration,
} from '@internal/backstage-plugin-meter-siem-node';
import { assertPartsOf } from './integrationParts';
import { ActionOptions } from './options';

/** The `integration` input of every action on an existing integration. */
export const integrationSchema = (z: typeof zod) =>
  z.string({
    description:
      'Entity ref of the integration, e.g. resource:default/hq-network-123456789012. It must be an entity the Meter SIEM catalog provider discovered: the ARNs are read from it and checked against AWS.',
  });

/** An existing integration a day-two action may act on. */
export interface OpenIntegration {
  integration: CatalogIntegration;
  /**
   * The integration's AWS clients, after checking in AWS that its parts
   * are still its own (see `assertPartsOf`). Not for a dry run, which makes
   * no AWS call.
   */
  connect(): Promise<AccountClients>;
}

/**
 * What every action on an existing integration does first, dry run
 * included: read it from the catalog (only what our provider discovered is
 * trusted) and check that the user running the task may act on it (its
 * owning group or the admin group), whatever permission policy is
 * installed.
 *
 * @param what - what the action does, for the refusal, e.g. "resize".
 */
export async function openIntegration(
  options: ActionOptions,
  ctx: Pick<ActionContext<any, any>, 'user' | 'signal'>,
  ref: string,
  what: string,
): Promise<OpenIntegration> {
  const { access, clients, settings } = options;
  const integration = await access.integration(ref);
  await access.assertMayAct(
    ctx.user?.ref,
    integration.ownerRef,
    `${what} ${integration.entityRef}`,
  );
  return {
    integration,
    async connect() {
      const aws = await clients.forAccount({
        accountId: integration.accountId,
        // IAM is global: a role without a stream is reached from any region.
        region: integration.region ?? AWS_REGIONS[0],
        signal: ctx.signal,
      });
      await assertPartsOf(aws, integration, settings);
      return aws;
    },
  };
}

/**
 * Asks the catalog provider to read an integration again at once (after a
 * change), instead of at its next sync. The same event announces a new
 * integration: the provider re-reads the role's integration either way.
 */
export async function announceChange(
  events: EventsService | undefined,
  integration: Pick<
    CatalogIntegration,
    'accountId' | 'region' | 'roleArn' | 'streamArn'
  >,
): Promise<void> {
  const { accountId, region, roleArn, streamArn } = integration;
  if (!events || !roleArn) return;
  const event: IntegrationCreatedEvent = {
    accountId,
    region: region ?? AWS_REGIONS[0],
    roleName: resourceName(roleArn),
    ...(streamArn && { streamName: resourceName(streamArn) }),
  };
  await events.publish({
    topic: INTEGRATION_CREATED_TOPIC,
    eventPayload: event,
  });
}
