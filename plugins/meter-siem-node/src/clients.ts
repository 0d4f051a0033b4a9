import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { IAMClient } from '@aws-sdk/client-iam';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AwsCallContext, explainAwsError, isNotFound } from './errors';

/**
 * How the SDK clients talk to AWS. Throttling, 5xx answers, resets and
 * timeouts are retried by the SDK itself: adaptive mode backs off and
 * rate-limits client-side, which matters for Kinesis control-plane calls
 * (a handful per second per account).
 */
export interface AwsClientSettings {
  /** Time to open a connection, in ms (default 5,000). */
  connectionTimeoutMs: number;
  /**
   * Time a request may go without an answer, in ms (default 30,000): a
   * stalled connection ends after it (and the call is retried) instead of
   * hanging a task.
   */
  requestTimeoutMs: number;
  /** Attempts per call, the first included (default 6). */
  maxAttempts: number;
}

export const DEFAULT_AWS_CLIENT_SETTINGS: AwsClientSettings = {
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  maxAttempts: 6,
};

/** Reads `meterSiem.awsClient` (see config.d.ts), with the defaults above. */
export function readAwsClientSettings(config?: Config): AwsClientSettings {
  const own = config?.getOptionalConfig('meterSiem.awsClient');
  const ms = (key: string, fallback: number) =>
    own?.has(key)
      ? durationToMilliseconds(readDurationFromConfig(own, { key }))
      : fallback;
  const settings = {
    connectionTimeoutMs: ms(
      'connectionTimeout',
      DEFAULT_AWS_CLIENT_SETTINGS.connectionTimeoutMs,
    ),
    requestTimeoutMs: ms(
      'requestTimeout',
      DEFAULT_AWS_CLIENT_SETTINGS.requestTimeoutMs,
    ),
    maxAttempts:
      own?.getOptionalNumber('maxAttempts') ??
      DEFAULT_AWS_CLIENT_SETTINGS.maxAttempts,
  };
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1) {
    throw new Error(
      `meterSiem.awsClient.maxAttempts must be a whole number of at least 1, got ${settings.maxAttempts}`,
    );
  }
  for (const key of ['connectionTimeoutMs', 'requestTimeoutMs'] as const) {
    if (!(settings[key] > 0)) {
      throw new Error(
        `meterSiem.awsClient.${key.replace(
          /Ms$/,
          '',
        )} must be a positive duration, e.g. { seconds: 30 }`,
      );
    }
  }
  return settings;
}

/** The AWS clients of one account and region. */
export interface AccountClients {
  accountId: string;
  region: string;
  kinesis: KinesisClient;
  iam: IAMClient;
  cloudwatch: CloudWatchClient;
}

/** The AWS clients of one account: IAM is global, Kinesis and CloudWatch per region. */
export interface MultiRegionClients {
  accountId: string;
  iam: IAMClient;
  kinesis(region: string): KinesisClient;
  cloudwatch(region: string): CloudWatchClient;
}

/**
 * Builds SDK clients with credentials from `@backstage/integration-aws-node`.
 * Endpoints are left to the SDK, which honours `AWS_ENDPOINT_URL`, so the
 * whole module can be pointed at an emulator without code of its own.
 */
export class AwsClientFactory {
  private readonly sdkOptions;
  private readonly timeouts;

  /**
   * @param userAgent - names the caller in CloudTrail (and in the
   * benchmarks' call counts), e.g. `backstage-meter-siem-scaffolder`.
   */
  constructor(
    private readonly credentials: AwsCredentialsManager,
    userAgent = 'backstage-meter-siem',
    settings: Partial<AwsClientSettings> = {},
  ) {
    const all = { ...DEFAULT_AWS_CLIENT_SETTINGS, ...settings };
    this.sdkOptions = {
      maxAttempts: all.maxAttempts,
      retryMode: 'adaptive',
      customUserAgent: userAgent,
    } as const;
    this.timeouts = {
      connectionTimeout: all.connectionTimeoutMs,
      requestTimeout: all.requestTimeoutMs,
      // Without it a request past its timeout only logs a warning and
      // keeps waiting (the handler's historical behaviour).
      throwOnRequestTimeout: true,
    };
  }

  /**
   * Credentials from the `aws` config key, through integration-aws-node;
   * timeouts and retries from `meterSiem.awsClient`.
   */
  static fromConfig(config: Config, userAgent?: string): AwsClientFactory {
    return new AwsClientFactory(
      DefaultAwsCredentialsManager.fromConfig(config),
      userAgent,
      readAwsClientSettings(config),
    );
  }

  /**
   * Clients for one account and region. With `signal`, every call they make
   * is aborted when it fires (a cancelled task, a sync past its timeout).
   */
  async forAccount(options: {
    accountId?: string;
    region: string;
    signal?: AbortSignal;
  }): Promise<AccountClients> {
    const account = await this.forAccountRegions({
      accountId: options.accountId,
      iamRegion: options.region,
      signal: options.signal,
    });
    return {
      accountId: account.accountId,
      region: options.region,
      kinesis: account.kinesis(options.region),
      iam: account.iam,
      cloudwatch: account.cloudwatch(options.region),
    };
  }

  /**
   * Clients for one account in several regions (IAM is global; Kinesis is
   * per region and made on first use), with one set of credentials.
   */
  async forAccountRegions(options: {
    accountId?: string;
    /** The region IAM and STS calls are signed for. */
    iamRegion: string;
    signal?: AbortSignal;
  }): Promise<MultiRegionClients> {
    const { iamRegion: region, signal } = options;
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
      (await this.callerAccount(region, credentials, signal));
    const perRegion = <C extends { send: (...args: any[]) => Promise<any> }>(
      make: (clientRegion: string) => C,
    ) => {
      const made = new Map<string, C>();
      return (clientRegion: string): C => {
        let client = made.get(clientRegion);
        if (!client) {
          client = abortable(make(clientRegion), signal);
          made.set(clientRegion, client);
        }
        return client;
      };
    };
    // One handler per client: destroying a client destroys its handler.
    const common = () => ({
      credentials,
      requestHandler: new NodeHttpHandler(this.timeouts),
      ...this.sdkOptions,
    });
    return {
      accountId,
      iam: abortable(new IAMClient({ region, ...common() }), signal),
      // The Kinesis client defaults to HTTP/2 for SubscribeToShard, which the
      // product never calls; HTTP/1.1 also works through proxies and
      // emulators that speak only HTTP/1.1 (moto).
      kinesis: perRegion(
        clientRegion =>
          new KinesisClient({ region: clientRegion, ...common() }),
      ),
      cloudwatch: perRegion(
        clientRegion =>
          new CloudWatchClient({ region: clientRegion, ...common() }),
      ),
    };
  }

  private async callerAccount(
    region: string,
    credentials: IAMClient['config']['credentials'],
    signal?: AbortSignal,
  ): Promise<string> {
    const sts = abortable(
      new STSClient({
        region,
        credentials,
        requestHandler: new NodeHttpHandler(this.timeouts),
        ...this.sdkOptions,
      }),
      signal,
    );
    const identity = await send(
      () => sts.send(new GetCallerIdentityCommand({})),
      { permission: 'sts:GetCallerIdentity', resource: 'the caller', region },
    );
    return identity.Account!;
  }
}

/**
 * Gives every call of the client the abort signal unless the call brings its
 * own: the SDK then ends a request in flight at once and makes no further
 * attempt.
 */
function abortable<C extends { send: (...args: any[]) => Promise<any> }>(
  client: C,
  signal: AbortSignal | undefined,
): C {
  if (!signal) return client;
  const original = client.send.bind(client);
  client.send = ((command: unknown, options?: object) =>
    original(command, { abortSignal: signal, ...options })) as C['send'];
  return client;
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
