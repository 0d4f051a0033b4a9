import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  Tag,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  StartStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  buildPermissionsPolicy,
  buildTrustPolicy,
  streamArn,
  silenceAlarmParameters,
} from '@internal/backstage-plugin-meter-siem-common';
import { randomBytes, randomInt } from 'node:crypto';
import {
  AwsClientFactory,
  MultiRegionClients as AccountClients,
} from '@internal/backstage-plugin-meter-siem-node';

/**
 * The integration tests run against a moto server over HTTP. Without one
 * they must fail, not pass by skipping.
 */
export function requireMoto(): void {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: these tests need a moto server (see ENVIRONMENT.md), e.g. AWS_ENDPOINT_URL=http://127.0.0.1:5000 with dummy AWS credentials',
    );
  }
}

/** The role the backend assumes in each account, as `aws.accounts` says. */
export const READER_ROLE = 'backstage-meter-siem-reader';

/**
 * A fresh account per test: moto scopes every call made with credentials of
 * a role assumed in it, so tests sharing a server do not see each other.
 */
export function freshAccountId(): string {
  return String(randomInt(100_000_000_000, 999_999_999_999));
}

export function awsConfig(accountIds: string[]) {
  return {
    accounts: accountIds.map(accountId => ({
      accountId,
      roleName: READER_ROLE,
    })),
  };
}

/** SDK clients in the account, through the same credentials as the provider. */
export function seedClients(
  accountId: string,
  region: string,
): Promise<AccountClients> {
  const credentials = DefaultAwsCredentialsManager.fromConfig(
    new ConfigReader({ aws: awsConfig([accountId]) }),
  );
  return new AwsClientFactory(credentials).forAccountRegions({
    accountId,
    iamRegion: region,
  });
}

export interface SeededIntegration {
  streamName: string;
  roleName: string;
  policyName?: string;
  externalId: string;
}

const tagList = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * Creates a stream, a policy and a role the way the template or the console
 * guide do. `inlinePolicy` puts the permissions inline instead.
 */
export async function seedIntegration(
  clients: AccountClients,
  options: {
    region: string;
    streamName: string;
    roleName: string;
    policyName: string;
    tags?: Record<string, string>;
    onDemand?: boolean;
    inlinePolicy?: boolean;
    /** The guide's alarm on silence (default true). */
    alarm?: boolean;
  },
): Promise<SeededIntegration> {
  const { region, streamName, roleName, policyName, tags = {} } = options;
  const kinesis = clients.kinesis(region);
  if (options.alarm !== false) {
    await clients
      .cloudwatch(region)
      .send(new PutMetricAlarmCommand(silenceAlarmParameters(streamName)));
  }
  await kinesis.send(
    new CreateStreamCommand({
      StreamName: streamName,
      ...(options.onDemand
        ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
        : { ShardCount: 1 }),
    }),
  );
  if (Object.keys(tags).length) {
    await kinesis.send(
      new AddTagsToStreamCommand({ StreamName: streamName, Tags: tags }),
    );
  }
  const arn = streamArn(region, clients.accountId, streamName);
  const document = JSON.stringify(buildPermissionsPolicy(arn));
  const externalId = randomBytes(32).toString('hex');
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify(
        buildTrustPolicy({
          principalArn: DEFAULT_METER_PRINCIPAL_ARN,
          externalId,
        }),
      ),
      Tags: tagList(tags),
    }),
  );
  if (options.inlinePolicy) {
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: policyName,
        PolicyDocument: document,
      }),
    );
    return { streamName, roleName, externalId };
  }
  const { Policy } = await clients.iam.send(
    new CreatePolicyCommand({
      PolicyName: policyName,
      PolicyDocument: document,
      Tags: tagList(tags),
    }),
  );
  await clients.iam.send(
    new AttachRolePolicyCommand({
      RoleName: roleName,
      PolicyArn: Policy!.Arn,
    }),
  );
  return { streamName, roleName, policyName, externalId };
}

/** The guide's best practices, as the template applies them. */
export async function configureStream(
  clients: AccountClients,
  region: string,
  streamName: string,
): Promise<void> {
  const kinesis = clients.kinesis(region);
  await kinesis.send(
    new IncreaseStreamRetentionPeriodCommand({
      StreamName: streamName,
      RetentionPeriodHours: 48,
    }),
  );
  await kinesis.send(
    new StartStreamEncryptionCommand({
      StreamName: streamName,
      EncryptionType: 'KMS',
      KeyId: 'alias/aws/kinesis',
    }),
  );
  await kinesis.send(
    new EnableEnhancedMonitoringCommand({
      StreamName: streamName,
      ShardLevelMetrics: ['IncomingBytes', 'IncomingRecords'],
    }),
  );
}

export async function deleteIntegration(
  clients: AccountClients,
  region: string,
  seeded: SeededIntegration,
): Promise<void> {
  const { roleName, policyName, streamName } = seeded;
  await clients.iam.send(
    new DetachRolePolicyCommand({
      RoleName: roleName,
      PolicyArn: `arn:aws:iam::${clients.accountId}:policy/${policyName}`,
    }),
  );
  await clients.iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  await clients
    .kinesis(region)
    .send(new DeleteStreamCommand({ StreamName: streamName }));
}
