import {
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  AWS_REGIONS,
  MeterSiemSettings,
  MeterSiemSettingsInput,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { DEFAULT_RATE_FRACTION } from '@internal/backstage-plugin-meter-siem-node';

/** One account to discover; `accountId` undefined is the main account. */
export interface AccountScope {
  accountId?: string;
  regions: string[];
}

/** How a sync keeps the stream facts it reuses young enough. */
export interface FactsFreshness {
  /**
   * A stream's facts (summary, tags, alarm) are reused while younger than
   * this, and re-read before they reach it, within the budget.
   */
  maxAgeMs: number;
  /** The time one sync may spend reading streams. */
  readBudgetMs: number;
  /** The time between syncs, as the schedule says (1 minute for a cron). */
  intervalMs: number;
  /** The schedule's timeout, which the sync's reads stay well within. */
  timeoutMs?: number;
}

/** How the provider paces its AWS calls (see AwsRateLimiter). */
export interface ApiRatesConfig {
  /** The share of AWS's published rates to use. */
  fraction: number;
  /** Calls per second by operation, used as they are. */
  overrides: Record<string, number>;
}

export interface MeterSiemProviderConfig {
  accounts: AccountScope[];
  fallbackOwner: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  settings: MeterSiemSettings;
  freshness: FactsFreshness;
  apiRates: ApiRatesConfig;
}

/**
 * Every minute: a sync re-reads the streams whose facts would otherwise
 * grow older than `maxFactsAge` before the next one, within its read
 * budget (45 seconds), so it lasts well under a minute. The timeout only
 * stops a sync stuck on AWS (a stalled call retried until its attempts
 * are spent): past it, nothing is committed.
 */
export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 1 },
  timeout: { minutes: 3 },
};

export const DEFAULT_MAX_FACTS_AGE_MS = 15 * 60_000;
export const DEFAULT_READ_BUDGET_MS = 45_000;

type DurationLike =
  | { toMillis(): number }
  | {
      years?: number;
      months?: number;
      weeks?: number;
      days?: number;
      hours?: number;
      minutes?: number;
      seconds?: number;
      milliseconds?: number;
    };

/**
 * Milliseconds of a duration as the scheduler takes it (a HumanDuration or
 * a luxon Duration); `undefined` for a cron or a manual trigger.
 */
export function durationMs(duration: unknown): number | undefined {
  if (!duration || typeof duration !== 'object') return undefined;
  if ('cron' in duration || 'trigger' in duration) return undefined;
  const d = duration as DurationLike;
  if ('toMillis' in d && typeof d.toMillis === 'function') return d.toMillis();
  const h = d as Exclude<DurationLike, { toMillis(): number }>;
  const days =
    (h.years ?? 0) * 365 +
    (h.months ?? 0) * 30 +
    (h.weeks ?? 0) * 7 +
    (h.days ?? 0);
  return (
    (((days * 24 + (h.hours ?? 0)) * 60 + (h.minutes ?? 0)) * 60 +
      (h.seconds ?? 0)) *
      1000 +
    (h.milliseconds ?? 0)
  );
}

function readDurationMs(config: Config, key: string, fallback: number): number {
  if (!config.has(key)) return fallback;
  const ms = durationMs(readDurationFromConfig(config, { key }));
  if (!ms || !(ms > 0)) {
    throw new Error(
      `catalog.providers.meterSiem.${key} must be a positive duration, e.g. { minutes: 15 } or PT15M`,
    );
  }
  return ms;
}

function readApiRates(provider: Config): ApiRatesConfig {
  const own = provider.getOptionalConfig('apiRates');
  const fraction = own?.getOptionalNumber('fraction') ?? DEFAULT_RATE_FRACTION;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new Error(
      `catalog.providers.meterSiem.apiRates.fraction must be above 0 and at most 1, got ${fraction}`,
    );
  }
  const perSecond = own?.getOptionalConfig('perSecond');
  const overrides: Record<string, number> = {};
  for (const operation of perSecond?.keys() ?? []) {
    const rate = perSecond!.getNumber(operation);
    if (!(rate > 0)) {
      throw new Error(
        `catalog.providers.meterSiem.apiRates.perSecond.${operation} must be above 0, got ${rate}`,
      );
    }
    overrides[operation] = rate;
  }
  return { fraction, overrides };
}

function readFreshness(
  provider: Config,
  schedule: SchedulerServiceTaskScheduleDefinition,
): FactsFreshness {
  const maxAgeMs = readDurationMs(
    provider,
    'maxFactsAge',
    DEFAULT_MAX_FACTS_AGE_MS,
  );
  const intervalMs = durationMs(schedule.frequency) ?? 60_000;
  // Within the schedule's timeout, whatever the configured budget says.
  const timeoutMs = durationMs(schedule.timeout);
  const configured = readDurationMs(
    provider,
    'readBudget',
    DEFAULT_READ_BUDGET_MS,
  );
  const readBudgetMs = timeoutMs
    ? Math.min(configured, Math.floor(timeoutMs * 0.75))
    : configured;
  return {
    maxAgeMs,
    readBudgetMs,
    intervalMs,
    ...(timeoutMs && { timeoutMs }),
  };
}

const DEFAULT_FALLBACK_OWNER = 'group:default/unowned';

/** Reads the shared `meterSiem` key, which the other modules read too. */
export function readSettings(config: Config): MeterSiemSettings {
  return resolveSettings(
    config.getOptional<MeterSiemSettingsInput>('meterSiem'),
  );
}

/** Reads `catalog.providers.meterSiem`, or `undefined` when it is absent. */
export function readProviderConfig(
  config: Config,
): MeterSiemProviderConfig | undefined {
  const provider = config.getOptionalConfig('catalog.providers.meterSiem');
  if (!provider) return undefined;
  // Integrations are found through IAM whatever their region; these are
  // the regions searched for streams left behind without a role.
  const defaultRegions = provider.getOptionalStringArray('regions') ?? [
    ...AWS_REGIONS,
  ];
  const regionsOf = (account?: Config): string[] => {
    const regions =
      account?.getOptionalStringArray('regions') ?? defaultRegions;
    if (!regions.length) {
      throw new Error(
        'catalog.providers.meterSiem regions must not be empty (omit it to scan every region the template offers)',
      );
    }
    return regions;
  };
  const accounts = provider.getOptionalConfigArray('accounts');
  const schedule = provider.has('schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        provider.getConfig('schedule'),
      )
    : DEFAULT_SCHEDULE;
  return {
    accounts: accounts?.length
      ? accounts.map(account => ({
          accountId: account.getOptionalString('accountId'),
          regions: regionsOf(account),
        }))
      : [{ regions: regionsOf() }],
    fallbackOwner:
      provider.getOptionalString('fallbackOwner') ?? DEFAULT_FALLBACK_OWNER,
    schedule,
    settings: readSettings(config),
    freshness: readFreshness(provider, schedule),
    apiRates: readApiRates(provider),
  };
}
