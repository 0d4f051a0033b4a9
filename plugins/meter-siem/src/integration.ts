import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import {
  ANNOTATIONS,
  INTEGRATION_ENTITY_FILTER,
  SilenceAlarmFacts,
  consoleUrls,
  parseArn,
  parseAuditFacts,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';

/**
 * The catalog filter that selects integration entities (the domain's), for
 * the entity cards' visibility and the page's query.
 */
export const INTEGRATION_FILTER = INTEGRATION_ENTITY_FILTER;

/** A link shown on the card. */
export interface ConsoleLink {
  title: string;
  url: string;
}

/**
 * What the views show of one integration. Read from a fixed list of
 * annotation keys, never by iterating the annotations, so that a secret
 * somebody put on the entity by hand cannot leak into the UI.
 */
export interface IntegrationView {
  entityRef: string;
  name: string;
  title: string;
  owner?: string;
  system?: string;
  streamArn?: string;
  roleArn?: string;
  roleName?: string;
  accountId?: string;
  region?: string;
  environment?: string;
  managedBy?: string;
  streamStatus?: string;
  capacityMode?: string;
  shardCount?: string;
  retentionHours?: string;
  encryption?: string;
  enhancedMetrics?: string;
  /**
   * The role lets Meter assume it without an external ID (the audit's
   * `trust-without-external-id`), as the audit facts recorded on the entity
   * say; false when they say otherwise or are absent. Never the ID itself.
   */
  trustWithoutExternalId: boolean;
  /**
   * The stream's alarm on silence as the catalog last read it; `null` when
   * it has none, absent when the catalog did not look.
   */
  silenceAlarm?: SilenceAlarmFacts | null;
  /** Set while the role accepts two external IDs (a rotation half-done). */
  rotation?: { startedAt?: string };
  consoleLinks: ConsoleLink[];
}

function safeResourceName(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  try {
    return resourceName(arn);
  } catch {
    return undefined;
  }
}

function safeArnPart(
  arn: string | undefined,
  part: 'accountId' | 'region',
): string | undefined {
  if (!arn) return undefined;
  try {
    return parseArn(arn)[part] || undefined;
  } catch {
    return undefined;
  }
}

// Links come from the catalog, which anyone who can register an entity
// writes to; only web addresses are rendered as links.
function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function consoleLinksOf(
  entity: Entity,
  region: string | undefined,
  streamName: string | undefined,
  roleName: string | undefined,
): ConsoleLink[] {
  const fromCatalog = (entity.metadata.links ?? [])
    .filter(link => isWebUrl(link.url))
    .map(link => ({ title: link.title ?? link.url, url: link.url }));
  if (fromCatalog.length > 0) {
    return fromCatalog;
  }
  if (!region || !streamName || !roleName) {
    return [];
  }
  const urls = consoleUrls({ region, streamName, roleName });
  return [
    { title: 'Kinesis stream in the AWS console', url: urls.stream },
    { title: 'IAM role in the AWS console', url: urls.role },
  ];
}

/** Reads the view of an integration entity. */
export function readIntegration(entity: Entity): IntegrationView {
  const annotations = entity.metadata.annotations ?? {};
  const read = (key: string): string | undefined =>
    annotations[key] || undefined;
  const streamArn = read(ANNOTATIONS.streamArn);
  const roleArn = read(ANNOTATIONS.roleArn);
  const region = read(ANNOTATIONS.region) ?? safeArnPart(streamArn, 'region');
  const roleName = safeResourceName(roleArn);
  const facts = parseAuditFacts(read(ANNOTATIONS.auditFacts));
  const trust = facts?.trust;
  const spec = entity.spec ?? {};
  return {
    entityRef: stringifyEntityRef(entity),
    name: entity.metadata.name,
    title: entity.metadata.title ?? entity.metadata.name,
    owner: typeof spec.owner === 'string' ? spec.owner : undefined,
    system: typeof spec.system === 'string' ? spec.system : undefined,
    streamArn,
    roleArn,
    roleName,
    accountId:
      read(ANNOTATIONS.accountId) ?? safeArnPart(streamArn, 'accountId'),
    region,
    environment: read(ANNOTATIONS.environment),
    managedBy: read(ANNOTATIONS.managedBy),
    streamStatus: read(ANNOTATIONS.streamStatus),
    capacityMode: read(ANNOTATIONS.capacityMode),
    shardCount: read(ANNOTATIONS.shardCount),
    retentionHours: read(ANNOTATIONS.retentionHours),
    encryption: read(ANNOTATIONS.encryption),
    enhancedMetrics: read(ANNOTATIONS.enhancedMetrics),
    trustWithoutExternalId:
      trust?.trustsMeter === true && trust.hasExternalIdCondition === false,
    ...(facts?.silenceAlarm !== undefined && {
      silenceAlarm: facts.silenceAlarm,
    }),
    ...((trust?.externalIdCount ?? 1) > 1 && {
      rotation: {
        ...(trust?.rotationStartedAt && {
          startedAt: trust.rotationStartedAt,
        }),
      },
    }),
    consoleLinks: consoleLinksOf(
      entity,
      region,
      safeResourceName(streamArn),
      roleName,
    ),
  };
}

/**
 * An owner ref as the catalog shows it (`humanizeEntityRef`): `security` for
 * `group:default/security`, `user:jane` for `user:default/jane`; a value that
 * is no entity ref is shown as it is.
 */
export function formatOwner(owner: string | undefined): string | undefined {
  if (!owner) return undefined;
  try {
    return humanizeEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
      { defaultKind: 'group' },
    );
  } catch {
    return owner;
  }
}

/** The route parameters of an entity's page, or undefined for a bad ref. */
export function entityRouteParams(
  ref: string,
  defaultKind?: string,
): { namespace: string; kind: string; name: string } | undefined {
  try {
    const { kind, namespace, name } = parseEntityRef(ref, {
      defaultKind,
      defaultNamespace: 'default',
    });
    return {
      kind: kind.toLocaleLowerCase('en-US'),
      namespace: namespace.toLocaleLowerCase('en-US'),
      name,
    };
  } catch {
    return undefined;
  }
}

/** The capacity modes as the create form names them. */
const CAPACITY_LABELS: Record<string, string> = {
  PROVISIONED: 'Provisioned',
  ON_DEMAND: 'On-demand',
};

/** `Provisioned, 2 shards` or `On-demand`. */
export function formatCapacity(view: IntegrationView): string | undefined {
  if (!view.capacityMode) return undefined;
  const mode = CAPACITY_LABELS[view.capacityMode] ?? view.capacityMode;
  if (view.capacityMode === 'PROVISIONED' && view.shardCount) {
    const shards = view.shardCount === '1' ? 'shard' : 'shards';
    return `${mode}, ${view.shardCount} ${shards}`;
  }
  return mode;
}

/**
 * `24 hours` or `168 hours (7 days)`; short, for tables: `24 h`, `168 h (7 d)`.
 */
export function formatRetention(
  hours: string | undefined,
  style: 'long' | 'short' = 'long',
): string | undefined {
  if (!hours) return undefined;
  const value = Number(hours);
  if (!Number.isFinite(value)) return hours;
  const short = style === 'short';
  const hourUnit = value === 1 ? 'hour' : 'hours';
  const text = `${value} ${short ? 'h' : hourUnit}`;
  if (value > 24 && value % 24 === 0) {
    return `${text} (${value / 24} ${short ? 'd' : 'days'})`;
  }
  return text;
}

/**
 * An owner ref in its full form (`group:default/security`), the form the
 * catalog is asked for; undefined for a value that is no entity ref.
 */
export function ownerEntityRef(owner: string | undefined): string | undefined {
  if (!owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * The name people know an owner by: the group's or user's
 * `spec.profile.displayName` (`Security Operations`), else its title, else
 * the ref as the catalog shows it (`security`).
 */
export function ownerDisplayName(
  owner: string | undefined,
  entity?: Entity,
): string | undefined {
  const profile = entity?.spec?.profile as
    | { displayName?: unknown }
    | undefined;
  const displayName =
    typeof profile?.displayName === 'string' && profile.displayName.trim();
  return displayName || entity?.metadata.title || formatOwner(owner);
}

const ENCRYPTION_LABELS: Record<string, string> = {
  NONE: 'None',
  KMS_AWS_MANAGED: 'KMS, AWS managed key',
  KMS_CUSTOMER_KEY: 'KMS, customer key',
};

/** The stream's encryption in words: `KMS, AWS managed key`. */
export function formatEncryption(
  encryption: string | undefined,
): string | undefined {
  if (!encryption) return undefined;
  return ENCRYPTION_LABELS[encryption] ?? encryption;
}
