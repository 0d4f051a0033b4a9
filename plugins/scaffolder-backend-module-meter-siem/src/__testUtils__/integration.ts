import { mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { MeterSiemEntityProvider } from '@internal/backstage-plugin-catalog-backend-module-meter-siem';
import {
  isIntegrationEntity,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  readExternalId,
} from '@internal/backstage-plugin-meter-siem-node';
import { randomInt } from 'node:crypto';
import { ActionOptions } from '../actions/options';
import { createPolicyAction } from '../actions/createPolicy';
import { createRoleAction } from '../actions/createRole';
import { createStreamAction } from '../actions/createStream';
import { actionContext, requireMoto, uniqueName } from './moto';
import { testAccess } from './org';

/**
 * An AWS account of its own in moto (reached by assuming a role in it, as
 * `aws.accounts` config does), so that a sync reads only what a test made.
 */
export function testAccount() {
  requireMoto();
  const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
  const aws = {
    accounts: [{ accountId, roleName: 'backstage-meter-siem-reader' }],
  };
  return {
    accountId,
    /** The `aws` config key that reaches it. */
    aws,
    clients: new AwsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(new ConfigReader({ aws })),
    ),
  };
}

/** Every entity the catalog provider of this config emits, after one sync. */
export async function syncWithConfig(config: object): Promise<Entity[]> {
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader(config),
    {
      logger: mockServices.logger.mock(),
      scheduler: mockServices.scheduler.mock(),
    },
  );
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  await provider.connect(connection);
  await provider.refresh();
  const [mutation] = connection.applyMutation.mock.calls[0];
  return mutation.entities.map((d: { entity: Entity }) => d.entity);
}

/** Every entity the catalog provider emits for the account, after one sync. */
export async function syncAccount(
  account: ReturnType<typeof testAccount>,
  regions: string[],
): Promise<Entity[]> {
  return syncWithConfig({
    aws: account.aws,
    catalog: {
      providers: {
        meterSiem: { regions, accounts: [{ accountId: account.accountId }] },
      },
    },
  });
}

/**
 * An integration made by the create template's three actions (as Jane of
 * the security team) in an account of its own, and the catalog entities
 * the provider emits for it: what every day-two test starts from.
 */
export async function provisionIntegration(
  options: {
    region?: string;
    owner?: string;
    input?: Record<string, unknown>;
  } = {},
) {
  const region = options.region ?? 'eu-west-1';
  const account = testAccount();
  const name = uniqueName('d2');
  const settings = resolveSettings();
  const actionOptions: ActionOptions = {
    clients: account.clients,
    settings,
    access: testAccess(),
  };
  const target = {
    name,
    region,
    accountId: account.accountId,
    owner: options.owner ?? 'group:default/security',
    environment: 'production',
  };
  const run = async (action: any, input: Record<string, unknown>) => {
    const { ctx, outputs } = actionContext({ ...target, ...input });
    await action.handler(ctx);
    return outputs;
  };
  const { streamArn } = await run(createStreamAction(actionOptions), {
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
    ...options.input,
  });
  const { policyArn } = await run(createPolicyAction(actionOptions), {
    streamArn,
  });
  const { roleArn } = await run(createRoleAction(actionOptions), {
    policyArn,
  });
  const entities = await syncAccount(account, [region]);
  const entity = entities.find(isIntegrationEntity)!;
  const aws = await account.clients.forAccount({
    accountId: account.accountId,
    region,
  });
  return {
    ...account,
    name,
    region,
    streamArn: streamArn as string,
    policyArn: policyArn as string,
    roleArn: roleArn as string,
    entities,
    entity,
    entityRef: stringifyEntityRef(entity),
    /** The account's clients, straight to AWS (no ownership checks). */
    sdk: aws,
    /** Action options whose catalog holds the integration's entities. */
    actionOptions: { ...actionOptions, access: testAccess(entities) },
    externalId: () =>
      readExternalId(account.clients, {
        roleArn: roleArn as string,
        region,
        meterPrincipalArn: settings.meterPrincipalArn,
      }),
  };
}
