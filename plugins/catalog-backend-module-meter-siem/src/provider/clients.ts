import { IAMClient } from '@aws-sdk/client-iam';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Throttling is retried by the SDK: adaptive mode backs off and rate-limits
 * client-side, which matters for ListTagsForStream (5 calls per second per
 * account).
 */
const RETRY = {
  maxAttempts: 5,
  retryMode: 'adaptive',
  // Names the caller in CloudTrail (and in the benchmarks' call counts).
  customUserAgent: 'backstage-meter-siem-catalog',
} as const;

/** The AWS clients of one account: IAM is global, Kinesis per region. */
export interface AccountClients {
  accountId: string;
  iam: IAMClient;
  kinesis(region: string): KinesisClient;
}

/**
 * Builds SDK clients with credentials from `@backstage/integration-aws-node`
 * (`accountId` undefined means the main account). Endpoints are left to the
 * SDK, which honours `AWS_ENDPOINT_URL`.
 */
export async function accountClients(
  credentials: AwsCredentialsManager,
  accountId: string | undefined,
  iamRegion: string,
): Promise<AccountClients> {
  const provider = await credentials.getCredentialProvider(
    accountId ? { accountId } : undefined,
  );
  const sdkCredentials = provider.sdkCredentialProvider;
  const resolvedAccountId =
    accountId ??
    provider.accountId ??
    (
      await new STSClient({
        region: iamRegion,
        credentials: sdkCredentials,
        ...RETRY,
      }).send(new GetCallerIdentityCommand({}))
    ).Account!;
  const kinesis = new Map<string, KinesisClient>();
  return {
    accountId: resolvedAccountId,
    iam: new IAMClient({
      region: iamRegion,
      credentials: sdkCredentials,
      ...RETRY,
    }),
    kinesis(region) {
      let client = kinesis.get(region);
      if (!client) {
        client = new KinesisClient({
          region,
          credentials: sdkCredentials,
          ...RETRY,
          // The Kinesis client speaks HTTP/2 by default, for SubscribeToShard
          // only; the calls made here work over HTTP/1.1, which is also what
          // an emulator behind a plain http:// AWS_ENDPOINT_URL speaks.
          requestHandler: new NodeHttpHandler(),
        });
        kinesis.set(region, client);
      }
      return client;
    },
  };
}
