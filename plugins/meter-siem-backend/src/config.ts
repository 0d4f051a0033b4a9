import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { InputError } from '@backstage/errors';
import {
  AuditOptions,
  defaultRequiredTags,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';

/** The audit's rules configuration, without the catalog's owners. */
export type AuditConfig = Omit<AuditOptions, 'knownOwners'> & {
  /** Facts older than this get a `facts-stale` finding. */
  staleAfterMs: number;
  /** A rotation half-done for longer gets a `rotation-half-done` finding. */
  rotationMaxAgeMs: number;
};

const DEFAULT_STALE_AFTER = { hours: 2 };
const DEFAULT_ROTATION_MAX_AGE = { hours: 24 };

/**
 * Reads `meterSiem.tagKeys` and `meterSiem.audit`. Allowed values are read
 * as a raw object: tag keys may contain dots, which config paths cannot.
 */
export function readAuditConfig(config: Config): AuditConfig {
  const { tagKeys } = resolveSettings({
    tagKeys: config.getOptional('meterSiem.tagKeys'),
  });
  const requiredTags =
    config.getOptionalStringArray('meterSiem.audit.requiredTags') ??
    defaultRequiredTags(tagKeys);
  const raw = config.getOptional('meterSiem.audit.allowedValues') ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(
      'meterSiem.audit.allowedValues must map tag keys to lists of values',
    );
  }
  const allowedValues: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(raw)) {
    if (!Array.isArray(values) || values.some(v => typeof v !== 'string')) {
      throw new InputError(
        `meterSiem.audit.allowedValues["${key}"] must be a list of strings`,
      );
    }
    allowedValues[key] = values as string[];
  }
  const duration = (key: string, fallback: { hours: number }) =>
    durationToMilliseconds(
      config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
    );
  return {
    tagKeys,
    requiredTags,
    allowedValues,
    staleAfterMs: duration('meterSiem.audit.staleAfter', DEFAULT_STALE_AFTER),
    rotationMaxAgeMs: duration(
      'meterSiem.audit.rotationMaxAge',
      DEFAULT_ROTATION_MAX_AGE,
    ),
  };
}
