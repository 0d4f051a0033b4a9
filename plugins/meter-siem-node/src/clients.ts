import { IAMClient } from '@aws-sdk/client-iam';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AwsCallContext, explainAwsError, isNotFound } from './errors';

/**
 * Throttling is retried by the SDK itself: adaptive mode backs off and
 * rate-limits client-side, which matters for Kinesis control-plane calls
 * (a handful per second per account).
 */
const RETRY = {
  maxAttempts: 6,
  retryMode: 'adaptive',
} as const;

/** The AWS clients of one account and region. */
export interface AccountClients {
  accountId: string;
  region: string;
  kinesis: KinesisClient;
  iam: IAMClient;
}

/**
 * Builds SDK clients with credentials from `@backstage/integration-aws-node`.
 * Endpoints are left to the SDK, which honours `AWS_ENDPOINT_URL`, so the
 * whole module can be pointed at an emulator without code of its own.
 */
export class AwsClientFactory {
  private readonly sdkOptions;

  /**
   * @param userAgent - names the caller in CloudTrail (and in the
   * benchmarks' call counts), e.g. `backstage-meter-siem-scaffolder`.
   */
  constructor(
    private readonly credentials: AwsCredentialsManager,
    userAgent = 'backstage-meter-siem',
  ) {
    this.sdkOptions = { ...RETRY, customUserAgent: userAgent };
  }

  /** Credentials from the `aws` config key, through integration-aws-node. */
  static fromConfig(config: Config, userAgent?: string): AwsClientFactory {
    return new AwsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(config),
      userAgent,
    );
  }

  async forAccount(options: {
    accountId?: string;
    region: string;
  }): Promise<AccountClients> {
    const { region } = options;
    const provider = await this.credentials
      .getCredentialProvider(
        options.accountId ? { accountId: options.accountId } : undefined,
      )
      .catch(error => {
        throw explainAwsError(error, {
          permission: 'sts:AssumeRole',
          resource: `account ${options.accountId ?? '(main)'}`,
          region,
        });
      });
    const credentials = provider.sdkCredentialProvider;
    const accountId =
      options.accountId ??
      provider.accountId ??
      (await this.callerAccount(region, credentials));
    return {
      accountId,
      region,
      // The Kinesis client defaults to HTTP/2 for SubscribeToShard, which
      // these actions never call; HTTP/1.1 also works through proxies and
      // emulators that speak only HTTP/1.1 (moto).
      kinesis: new KinesisClient({
        region,
        credentials,
        requestHandler: new NodeHttpHandler(),
        ...this.sdkOptions,
      }),
      iam: new IAMClient({ region, credentials, ...this.sdkOptions }),
    };
  }

  private async callerAccount(
    region: string,
    credentials: IAMClient['config']['credentials'],
  ): Promise<string> {
    const sts = new STSClient({ region, credentials, ...this.sdkOptions });
    const identity = await send(
      () => sts.send(new GetCallerIdentityCommand({})),
      { permission: 'sts:GetCallerIdentity', resource: 'the caller', region },
    );
    return identity.Account!;
  }
}

/** Runs one AWS call and turns its error into an actionable message. */
export async function send<T>(
  call: () => Promise<T>,
  context: AwsCallContext,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainAwsError(error, context);
  }
}

/** Like {@link send}, but a "does not exist" answer gives `undefined`. */
export async function sendIfExists<T>(
  call: () => Promise<T>,
  context: AwsCallContext,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw explainAwsError(error, context);
  }
}
