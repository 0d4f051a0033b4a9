import { DEFAULT_METER_PRINCIPAL_ARN } from './constants';
import { DEFAULT_NAME_PREFIX } from './naming';
import { parseCatalogRef } from './refs';
import { DEFAULT_TAG_KEYS, TagKeys } from './tags';

/**
 * The product's settings, read from the `meterSiem` config key by each
 * backend module (the key's schema is declared in their `config.d.ts`).
 *
 * @public
 */
export interface MeterSiemSettings {
  /** Meter's service role that assumes the integration role. */
  meterPrincipalArn: string;
  /** Tag keys the product writes and reads. */
  tagKeys: TagKeys;
  /** Prefix of the AWS resource names, `meter-siem-` by default. */
  namePrefix: string;
  /**
   * Group whose members may act on every integration and read every
   * external ID (`meterSiem.adminGroup`); none by default.
   */
  adminGroupRef?: string;
}

/** The `meterSiem` config value as read from app-config. @public */
export interface MeterSiemSettingsInput {
  meterPrincipalArn?: string;
  tagKeys?: Partial<TagKeys>;
  namePrefix?: string;
  adminGroup?: string;
}

/** Config readers give `undefined` for absent keys; those keep the default. */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * Fills in the documented defaults for whatever the config leaves out.
 *
 * @public
 */
export function resolveSettings(
  input: MeterSiemSettingsInput = {},
): MeterSiemSettings {
  return {
    meterPrincipalArn: input.meterPrincipalArn ?? DEFAULT_METER_PRINCIPAL_ARN,
    tagKeys: { ...DEFAULT_TAG_KEYS, ...definedOnly(input.tagKeys) },
    namePrefix: input.namePrefix ?? DEFAULT_NAME_PREFIX,
    ...(input.adminGroup !== undefined && {
      adminGroupRef: adminGroupRef(input.adminGroup),
    }),
  };
}

function adminGroupRef(value: string): string {
  const ref = parseCatalogRef(value, ['group'], { loose: true });
  if (!ref) {
    throw new Error(
      `meterSiem.adminGroup must be a group reference such as group:default/platform, not "${value}"`,
    );
  }
  return ref;
}
