import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  isIntegrationEntity,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  readExternalId,
} from '@internal/backstage-plugin-meter-siem-node';
import {
  MotoServer,
  startMotoServer,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { ActionOptions } from '../actions/options';
import { createPolicyAction } from '../actions/createPolicy';
import { createRoleAction } from '../actions/createRole';
import { createStreamAction } from '../actions/createStream';
import { syncWithConfig } from './integration';
import { actionContext, uniqueName } from './moto';
import { testAccess } from './org';

/**
 * A moto server of its own with IAM authorisation on (it would deny the
 * other tests' unsigned calls on the shared one), where "Meter" is an IAM
 * user whose ARN the settings name as Meter's principal: the role's trust
 * policy and its external ID condition are what moto checks when Meter
 * assumes the role. Points AWS_ENDPOINT_URL at it until `stop()`.
 */
export async function startMeterWorld(region = 'eu-west-1') {
  const moto: MotoServer = await startMotoServer();
  const backstage = await moto.createUser('backstage', [
    { Effect: 'Allow', Action: '*', Resource: '*' },
  ]);
  const meter = await moto.createUser('meter-data-export', [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
  ]);
  await moto.enableAuth();
  const endpointBefore = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = moto.endpoint;

  const aws = {
    mainAccount: {
      accessKeyId: backstage.accessKeyId,
      secretAccessKey: backstage.secretAccessKey,
    },
  };
  const clients = new AwsClientFactory(
    DefaultAwsCredentialsManager.fromConfig(new ConfigReader({ aws })),
  );
  const settings = resolveSettings({ meterPrincipalArn: meter.arn });

  const sync = () =>
    syncWithConfig({
      aws,
      meterSiem: { meterPrincipalArn: meter.arn },
      catalog: { providers: { meterSiem: { regions: [region] } } },
    });

  return {
    moto,
    region,
    meter,
    /**
     * An integration made by the create template's actions (as Jane), and
     * action options whose catalog holds it.
     */
    async provision(shardCount = 1) {
      const base: ActionOptions = { clients, settings, access: testAccess() };
      const name = uniqueName('meter');
      const target = {
        name,
        region,
        owner: 'group:default/security',
        environment: 'production',
      };
      const step = async (action: any, input: Record<string, unknown>) => {
        const { ctx, outputs } = actionContext({ ...target, ...input });
        await action.handler(ctx);
        return outputs;
      };
      const { streamArn } = await step(createStreamAction(base), {
        capacityMode: 'PROVISIONED',
        shardCount,
        retentionHours: 24,
        encryption: 'NONE',
      });
      const { policyArn } = await step(createPolicyAction(base), {
        streamArn,
      });
      const { roleArn } = await step(createRoleAction(base), { policyArn });
      const entities = await sync();
      const entity = entities.find(
        e => isIntegrationEntity(e) && e.metadata.name.startsWith(name),
      )!;
      return {
        name,
        entityRef: `resource:default/${entity.metadata.name}`,
        streamArn: streamArn as string,
        roleArn: roleArn as string,
        options: { ...base, access: testAccess(entities) },
        externalId: () =>
          readExternalId(clients, {
            roleArn,
            region,
            meterPrincipalArn: meter.arn,
          }),
      };
    },
    /** Meter's side: assume the role with an external ID. */
    assumeRole(roleArn: string, ExternalId: string) {
      return new STSClient({
        endpoint: moto.endpoint,
        region,
        maxAttempts: 1,
        credentials: meter,
      }).send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: 'meter-siem-export',
          ExternalId,
        }),
      );
    },
    async stop() {
      process.env.AWS_ENDPOINT_URL = endpointBefore;
      await moto.stop();
    },
  };
}
