import {
  ASSUMED_IAM_RATES,
  AWS_CONTROL_PLANE_RATES,
  DEFAULT_RATE_FRACTION,
  rateScopeOf,
} from './awsRates';
import type { MultiRegionClients } from './clients';

/** @public */
export interface AwsRateLimiterOptions {
  /**
   * AWS's rates by operation (`kinesis:ListTagsForStream`), in calls per
   * second; defaults to {@link AWS_CONTROL_PLANE_RATES} and
   * {@link ASSUMED_IAM_RATES}. Operations not listed are not paced.
   */
  rates?: Readonly<Record<string, number>>;
  /** The share of each rate to use (default {@link DEFAULT_RATE_FRACTION}). */
  fraction?: number;
  /**
   * Rates used as they are, not scaled by `fraction`: an account's raised
   * quota, or a simulator's rates.
   */
  overrides?: Readonly<Record<string, number>>;
}

/** One call, as the limiter keys it. @public */
export interface PacedCall {
  accountId: string;
  region: string;
  /** `service:Operation`, as in IAM policies. */
  operation: string;
}

/**
 * Paces AWS calls per account, region and operation (IAM: per account),
 * at a fraction of AWS's published rates, so that a caller never meets
 * throttling of its own making.
 *
 * Calls are spaced evenly (a token bucket of one token), first come first
 * served: whatever window AWS counts in, the calls of any second stay within
 * the rate, and other tools of the account always find some of its budget
 * left. One limiter should serve every client of a process that calls the
 * same accounts, so that they share the budget instead of each using it
 * whole.
 *
 * @public
 */
export class AwsRateLimiter {
  readonly #rates: Map<string, number>;
  /** When each key's next call may start (ms since the epoch). */
  readonly #next = new Map<string, number>();

  constructor(options: AwsRateLimiterOptions = {}) {
    const fraction = options.fraction ?? DEFAULT_RATE_FRACTION;
    if (!(fraction > 0 && fraction <= 1)) {
      throw new Error(
        `The share of AWS's rates to use must be above 0 and at most 1, got ${fraction}`,
      );
    }
    const published = options.rates ?? {
      ...AWS_CONTROL_PLANE_RATES,
      ...ASSUMED_IAM_RATES,
    };
    this.#rates = new Map(
      Object.entries(published).map(([op, rate]) => [op, rate * fraction]),
    );
    for (const [op, rate] of Object.entries(options.overrides ?? {})) {
      if (!(rate > 0)) {
        throw new Error(`The rate of ${op} must be above 0, got ${rate}`);
      }
      this.#rates.set(op, rate);
    }
  }

  /** The calls per second this limiter allows an operation; undefined: unpaced. */
  rateOf(operation: string): number | undefined {
    return this.#rates.get(operation);
  }

  /**
   * Waits for the call's turn. Rejects with the signal's reason when it is
   * aborted meanwhile (the turn is then lost, which only slows others).
   */
  async acquire(call: PacedCall, signal?: AbortSignal): Promise<void> {
    const rate = this.rateOf(call.operation);
    if (!rate) return;
    signal?.throwIfAborted();
    const scope = rateScopeOf(call.operation) === 'account' ? '*' : call.region;
    const key = `${call.accountId}/${scope}/${call.operation}`;
    const now = Date.now();
    const at = Math.max(now, this.#next.get(key) ?? 0);
    this.#next.set(key, at + 1000 / rate);
    if (at > now) await sleep(at - now, signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The AWS error names that mean "slow down". */
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

/**
 * Whether an AWS error is throttling (once the SDK's retries are spent, or
 * an attempt's).
 *
 * @public
 */
export function isThrottlingError(error: unknown): boolean {
  const e = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  return (
    !!e &&
    (THROTTLING_ERRORS.has(e.name ?? '') ||
      e.$retryable?.throttling === true ||
      e.$metadata?.httpStatusCode === 429)
  );
}

/** What {@link withRateLimits} tells of each attempt. @public */
export interface PacedCallObserver {
  /** Every attempt, retries included, as AWS sees them. */
  onCall?(call: PacedCall): void;
  /** An attempt AWS throttled (the SDK retries it). */
  onThrottled?(call: PacedCall): void;
}

interface SdkClient {
  middlewareStack: {
    addRelativeTo(middleware: any, options: any): void;
  };
}

const MIDDLEWARE_NAME = 'meterSiemRateLimitMiddleware';

/**
 * The same clients, with every attempt of every call paced by `limiter`:
 * the wait is placed after the SDK's retry middleware, so that its retries
 * are paced too, and before signing. `signal` ends a wait (a sync past its
 * timeout). Wrap a set of clients once.
 *
 * @public
 */
export function withRateLimits(
  clients: MultiRegionClients,
  limiter: AwsRateLimiter,
  options: { signal?: AbortSignal } & PacedCallObserver = {},
): MultiRegionClients {
  const { accountId } = clients;
  const paced = new WeakSet<object>();
  const pace = <C extends SdkClient>(
    client: C,
    service: string,
    region: string,
  ): C => {
    if (paced.has(client)) return client;
    paced.add(client);
    const middleware =
      (next: (args: unknown) => Promise<unknown>, context: any) =>
      async (args: unknown) => {
        const command = String(context?.commandName ?? 'Unknown');
        const call: PacedCall = {
          accountId,
          region,
          operation: `${service}:${command.replace(/Command$/, '')}`,
        };
        await limiter.acquire(call, options.signal);
        options.onCall?.(call);
        try {
          return await next(args);
        } catch (error) {
          if (isThrottlingError(error)) options.onThrottled?.(call);
          throw error;
        }
      };
    client.middlewareStack.addRelativeTo(middleware, {
      name: MIDDLEWARE_NAME,
      relation: 'after',
      toMiddleware: 'retryMiddleware',
      override: true,
    });
    return client;
  };
  const iam = pace(clients.iam, 'iam', 'global');
  return {
    accountId,
    iam,
    kinesis: region => pace(clients.kinesis(region), 'kinesis', region),
    cloudwatch: region =>
      pace(clients.cloudwatch(region), 'cloudwatch', region),
  };
}
