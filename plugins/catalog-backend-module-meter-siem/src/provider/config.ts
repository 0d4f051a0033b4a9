import {
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AWS_REGIONS,
  MeterSiemSettings,
  MeterSiemSettingsInput,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';

/** One account to discover; `accountId` undefined is the main account. */
export interface AccountScope {
  accountId?: string;
  regions: string[];
}

export interface MeterSiemProviderConfig {
  accounts: AccountScope[];
  fallbackOwner: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  settings: MeterSiemSettings;
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
};

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
  return {
    accounts: accounts?.length
      ? accounts.map(account => ({
          accountId: account.getOptionalString('accountId'),
          regions: regionsOf(account),
        }))
      : [{ regions: regionsOf() }],
    fallbackOwner:
      provider.getOptionalString('fallbackOwner') ?? DEFAULT_FALLBACK_OWNER,
    schedule: provider.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          provider.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
    settings: readSettings(config),
  };
}
