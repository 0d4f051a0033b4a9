import type { SilenceAlarmFacts } from './alarms';
import {
  ANNOTATIONS,
  INTEGRATION_ENTITY_TYPE,
  integrationEntityName,
} from './annotations';
import { ResourceArnKind, consoleUrl, resourceName } from './arn';
import { toAuditFacts } from './audit';
import { AWS_MANAGED_KINESIS_KEY } from './constants';
import { LIMITS } from './limits';
import { PolicyDocument, analyseTrust } from './policies';
import { ownerRefFromTag, systemRefFromTag } from './refs';
import { MANAGED_BY_VALUE, TagKeys, firstTagValue, tagValue } from './tags';
import { MeterSiemSettings } from './settings';
import { EncryptionMode } from './validation';

/**
 * A catalog `Resource` entity, typed as the provider emits it: narrower
 * than the catalog model's `Entity`.
 *
 * @public
 */
export interface ResourceEntity {
  apiVersion: 'backstage.io/v1alpha1';
  kind: 'Resource';
  metadata: {
    name: string;
    namespace: 'default';
    title: string;
    description: string;
    tags: string[];
    labels: Record<string, string>;
    annotations: Record<string, string>;
    links: Array<{ url: string; title: string; icon?: string; type?: string }>;
  };
  spec: {
    type: string;
    owner: string;
    system?: string;
    dependsOn?: string[];
  };
}

/** What the provider read about a Kinesis stream. @public */
export interface StreamFacts {
  name: string;
  tags: Record<string, string>;
  status?: string;
  capacityMode?: string;
  openShardCount?: number;
  retentionHours?: number;
  /** `NONE` or `KMS`, as Kinesis reports it. */
  encryptionType?: string;
  keyId?: string;
  enhancedMetrics?: string[];
  /**
   * The best alarm on the stream's IncomingRecords (see
   * `pickSilenceAlarm`); `null` when the sync read the region's alarms and
   * found none, absent when it did not read them.
   */
  silenceAlarm?: SilenceAlarmFacts | null;
}

/**
 * A role or customer-managed policy that carries the tags Backstage writes
 * (managed-by and the integration tag) but is part of no integration found:
 * what a run that stopped half-way, or a partial clean-up, left behind.
 *
 * @public
 */
export interface LeftBehindResource {
  kind: 'role' | 'policy';
  arn: string;
  name: string;
  tags: Record<string, string>;
}

/**
 * What the provider found about one integration: a role Meter may assume
 * and one stream its policies let Meter write to. Either may be missing: a
 * role whose policies name no particular stream (wildcards, no Kinesis
 * grant at all) is an integration without a stream; a stream named with
 * the product's prefix that no role names is one without a role; and the
 * roles and policies Backstage made that no integration uses are one with
 * neither, only `leftBehind`.
 *
 * @public
 */
export interface IntegrationFacts {
  accountId: string;
  /** The stream's region; absent when there is no particular stream. */
  region?: string;
  /**
   * Absent when no role trusted by Meter writes to the stream any more (a
   * stream named with the product's prefix, left behind).
   */
  role?: {
    arn: string;
    name: string;
    tags: Record<string, string>;
    trustPolicy: PolicyDocument;
  };
  /** The managed policy granting the writes; inline policies have no ARN. */
  policy?: { arn: string; name: string };
  /**
   * Every permissions policy of the role, for the audit: inline and
   * customer-managed ones with their document, AWS-managed ones without.
   */
  permissions?: Array<{ policyArn?: string; document?: PolicyDocument }>;
  /** Absent when the role's policies name no particular stream. */
  streamArn?: string;
  /**
   * Absent when the stream the policy names no longer exists, or when its
   * region could not be read in this sync (then `streamError` says why).
   */
  stream?: StreamFacts;
  /** Why the stream's region could not be read in this sync. */
  streamError?: string;
  /**
   * For a stream no role names: the roles trusted by Meter whose wildcard
   * grants reach it all the same.
   */
  reachableBy?: string[];
  /** Roles and policies Backstage made for this integration that it does not use. */
  leftBehind?: LeftBehindResource[];
}

/** @public */
export interface EntityBuildOptions {
  settings: MeterSiemSettings;
  /** Owner ref for integrations whose resources carry no usable owner tag. */
  fallbackOwner: string;
}

/** Annotations every entity an entity provider emits must carry. */
const MANAGED_BY_LOCATION = 'backstage.io/managed-by-location';
const MANAGED_BY_ORIGIN_LOCATION = 'backstage.io/managed-by-origin-location';

/**
 * The location type of the entities our provider emits. The catalog
 * overwrites these annotations on entities read from registered locations
 * (files, URLs), so only the provider's entities carry this type: the
 * actions trust ARNs only from entities that do.
 *
 * @public
 */
export const PROVIDER_LOCATION_TYPE = 'meter-siem-aws';

/**
 * True when the entity was emitted by the Meter SIEM entity provider, not
 * written by hand into a registered catalog file.
 *
 * @public
 */
export function isProviderEmitted(candidate: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = candidate.metadata.annotations ?? {};
  return [MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION].every(key =>
    annotations[key]?.startsWith(`${PROVIDER_LOCATION_TYPE}:`),
  );
}

const MAX_NAME_LENGTH = LIMITS.entityName.max;
/**
 * Room for `-<12-digit account>` and the longest suffixes, `-stream` and
 * `-policy`.
 */
const MAX_INTEGRATION_NAME_LENGTH =
  MAX_NAME_LENGTH - (1 + LIMITS.accountId.max) - '-policy'.length;

/** A short stable digest, so that shortened names stay unique. */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Fits any text to the catalog's name rule (letters and digits separated
 * by `-`, `_` or `.`) within `max` characters.
 */
function toEntityName(text: string, max: number): string {
  const name = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '');
  if (name.length <= max && name.length > 0) return name;
  const kept = name.slice(0, max - 9).replace(/[._-]+$/, '');
  return kept ? `${kept}-${digest(text)}` : digest(text);
}

/** Catalog tags: lowercase `[a-z0-9:+#]` words joined by `-`. */
function toCatalogTag(text: string): string | undefined {
  const tag = text
    .toLowerCase()
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
  return tag || undefined;
}

/** Label keys and values share the name rule, without the digest. */
function toLabelPart(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[._-]+$/, '');
}

/**
 * What a person reads in the About card and filters the catalog by: the
 * product, the cloud and the environment (`production`). The owner and the
 * system are the entity's `spec.owner` and `spec.system`, shown as such, so
 * they are not repeated as tags. The resources' other AWS tags (cost
 * centre, the template's extra tags, managed-by...) are labels, for
 * selectors; the owner and system tags are not, for the same reason.
 */
function tagsAndLabels(
  awsTags: Record<string, string>,
  environment: string | undefined,
  tagKeys: TagKeys,
): {
  tags: string[];
  labels: Record<string, string>;
} {
  const tags = new Set<string>(['meter-siem', 'aws']);
  const environmentTag = environment && toCatalogTag(environment);
  if (environmentTag) tags.add(environmentTag);
  // Tag keys of the policy match whatever their case.
  const specKeys = new Set(
    [tagKeys.owner, tagKeys.system].map(key => key.toLowerCase()),
  );
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(awsTags).sort()) {
    if (specKeys.has(key.toLowerCase())) continue;
    const labelKey = toLabelPart(key);
    if (labelKey) labels[labelKey] = toLabelPart(value);
  }
  return { tags: [...tags], labels };
}

function encryptionOf(stream: StreamFacts): EncryptionMode | undefined {
  if (!stream.encryptionType) return undefined;
  if (stream.encryptionType !== 'KMS') return 'NONE';
  return stream.keyId === AWS_MANAGED_KINESIS_KEY
    ? 'KMS_AWS_MANAGED'
    : 'KMS_CUSTOMER_KEY';
}

/** The tags of the resources left behind, the first one's winning. */
function leftBehindTags(facts: IntegrationFacts): Record<string, string> {
  return Object.assign(
    {},
    ...[...(facts.leftBehind ?? [])].reverse().map(r => r.tags),
  );
}

/**
 * The integration's name: the integration tag the template writes, else
 * the role name without the product's prefix (integrations made by hand).
 *
 * @public
 */
export function integrationNameOf(
  facts: IntegrationFacts,
  settings: MeterSiemSettings,
): string {
  const key = settings.tagKeys.integration;
  const tagged =
    tagValue(facts.stream?.tags, key) ??
    tagValue(facts.role?.tags, key) ??
    facts.leftBehind
      ?.map(r => tagValue(r.tags, key))
      .find(value => value !== undefined);
  if (tagged) return tagged;
  const name =
    facts.role?.name ??
    (facts.streamArn && resourceName(facts.streamArn)) ??
    facts.leftBehind?.[0]?.name ??
    facts.accountId;
  return name.startsWith(settings.namePrefix) &&
    name.length > settings.namePrefix.length
    ? name.slice(settings.namePrefix.length)
    : name;
}

/**
 * Names every integration of one account uniquely. A role that may write to
 * several streams makes one integration per stream, told apart by the
 * stream's name; a role without a particular stream by its own.
 */
function integrationNames(
  integrations: IntegrationFacts[],
  settings: MeterSiemSettings,
): string[] {
  const bases = integrations.map(facts => integrationNameOf(facts, settings));
  const scoped = bases.map((base, i) => `${integrations[i].accountId}/${base}`);
  const canonical = integrations.map((facts, i) =>
    madeByTemplate(facts, bases[i], settings),
  );
  const names = bases.map((base, i) => {
    // The template's own integration keeps its plain name, which its run
    // announced as the entity ref; others sharing the name are told apart.
    const shared =
      !canonical[i] && scoped.filter(s => s === scoped[i]).length > 1;
    const { streamArn, role } = integrations[i];
    // A role without a stream is told apart by its name, marked as a role
    // so that it cannot take the name of a stream's integration.
    const suffix = streamArn
      ? resourceName(streamArn)
      : role && `${role.name}-role`;
    const raw = shared && suffix ? `${base}-${suffix}` : base;
    return toEntityName(raw, MAX_INTEGRATION_NAME_LENGTH);
  });
  // Still equal within an account (a stream of the same name in another
  // region, or names shortened alike): told apart by region and a digest of
  // their ARN, so that no integration overwrites another in the catalog.
  return names.map((name, i) => {
    const { accountId, region, streamArn, role } = integrations[i];
    const clash = names.some(
      (other, j) =>
        j !== i && other === name && integrations[j].accountId === accountId,
    );
    if (!clash) return name;
    return toEntityName(
      `${name}-${region ?? 'iam'}-${digest(streamArn ?? role?.arn ?? '')}`,
      MAX_INTEGRATION_NAME_LENGTH,
    );
  });
}

/**
 * Whether an integration is exactly what the template makes for `base`: a
 * role and a stream both named `<prefix><base>`, the role tagged as made by
 * Backstage. Role names are unique in an account, so at most one per
 * account and name.
 */
function madeByTemplate(
  facts: IntegrationFacts,
  base: string,
  settings: MeterSiemSettings,
): boolean {
  const expected = `${settings.namePrefix}${base}`;
  return (
    facts.role?.name === expected &&
    !!facts.streamArn &&
    resourceName(facts.streamArn) === expected &&
    tagValue(facts.role.tags, settings.tagKeys.managedBy) === MANAGED_BY_VALUE
  );
}

function entity(
  name: string,
  fields: {
    type: string;
    title: string;
    description: string;
    owner: string;
    system?: string;
    dependsOn?: string[];
    awsTags: Record<string, string>;
    /** The integration's environment, the one tag read from AWS. */
    environment?: string;
    tagKeys: TagKeys;
    annotations: Record<string, string | undefined>;
    links: ResourceEntity['metadata']['links'];
  },
): ResourceEntity {
  const location = `${PROVIDER_LOCATION_TYPE}:${fields.links[0].url}`;
  const annotations: Record<string, string> = {
    [MANAGED_BY_LOCATION]: location,
    [MANAGED_BY_ORIGIN_LOCATION]: location,
  };
  for (const [key, value] of Object.entries(fields.annotations)) {
    if (value !== undefined) annotations[key] = value;
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: fields.title,
      description: fields.description,
      ...tagsAndLabels(fields.awsTags, fields.environment, fields.tagKeys),
      annotations,
      links: fields.links,
    },
    spec: {
      type: fields.type,
      owner: fields.owner,
      ...(fields.system && { system: fields.system }),
      ...(fields.dependsOn && { dependsOn: fields.dependsOn }),
    },
  };
}

/** The entity of each kind of AWS resource of an integration. */
const RESOURCE_ENTITIES: Record<
  ResourceArnKind,
  { type: string; arnAnnotation: string; what: string }
> = {
  stream: {
    type: 'kinesis-stream',
    arnAnnotation: ANNOTATIONS.streamArn,
    what: 'Kinesis stream',
  },
  role: {
    type: 'aws-iam-role',
    arnAnnotation: ANNOTATIONS.roleArn,
    what: 'IAM role',
  },
  policy: {
    type: 'aws-iam-policy',
    arnAnnotation: ANNOTATIONS.policyArn,
    what: 'IAM policy',
  },
};

function consoleLink(
  kind: ResourceArnKind,
  arn: string,
): ResourceEntity['metadata']['links'][number] {
  return {
    url: consoleUrl(arn),
    title: `${RESOURCE_ENTITIES[kind].what} in the AWS console`,
    icon: 'cloud',
  };
}

/**
 * The entity of one AWS resource of an integration (`<integration>-<kind>`),
 * owned as the integration is, linking to the resource in the console.
 */
function resourceEntity(
  kind: ResourceArnKind,
  shared: {
    integration: string;
    owner: string;
    system?: string;
    environment?: string;
    tagKeys: TagKeys;
    annotations: Record<string, string | undefined>;
  },
  resource: {
    arn: string;
    /** The resource's own name: the title says what kind it is. */
    name: string;
    description: string;
    awsTags: Record<string, string>;
    annotations?: Record<string, string | undefined>;
  },
): ResourceEntity {
  const { type, arnAnnotation, what } = RESOURCE_ENTITIES[kind];
  return entity(`${shared.integration}-${kind}`, {
    type,
    // The relation graph and the catalog's lists show the title: the
    // stream and the role usually share one name, so the kind tells them
    // apart (`Kinesis stream meter-siem-x`, `IAM role meter-siem-x`).
    title: `${what} ${resource.name}`,
    description: resource.description,
    owner: shared.owner,
    system: shared.system,
    awsTags: resource.awsTags,
    environment: shared.environment,
    tagKeys: shared.tagKeys,
    annotations: {
      ...shared.annotations,
      [arnAnnotation]: resource.arn,
      ...resource.annotations,
    },
    links: [consoleLink(kind, resource.arn)],
  });
}

function entitiesOf(
  facts: IntegrationFacts,
  integrationName: string,
  options: EntityBuildOptions,
): ResourceEntity[] {
  const { settings, fallbackOwner } = options;
  const { accountId, region, role, policy, stream, streamArn } = facts;
  const leftBehind = facts.leftBehind ?? [];
  const keys = settings.tagKeys;
  // The stream's tags win: it is what Meter delivers to, and the template
  // tags every resource alike anyway. What is left behind counts least.
  const awsTags = { ...leftBehindTags(facts), ...role?.tags, ...stream?.tags };
  // Read source by source, not from the merge: keys match whatever their
  // case, so a merge could hold the role's `environment` beside the
  // stream's `Environment`.
  const tagSources = [stream?.tags, role?.tags, ...leftBehind.map(r => r.tags)];
  const owner =
    ownerRefFromTag(tagValue(stream?.tags, keys.owner)) ??
    ownerRefFromTag(tagValue(role?.tags, keys.owner)) ??
    leftBehind
      .map(r => ownerRefFromTag(tagValue(r.tags, keys.owner)))
      .find(ref => ref !== undefined) ??
    fallbackOwner;
  const system = systemRefFromTag(firstTagValue(tagSources, keys.system));
  const streamName =
    stream?.name ?? (streamArn ? resourceName(streamArn) : undefined);
  const name = integrationEntityName(integrationName, accountId);
  const environment = firstTagValue(tagSources, keys.environment);
  const common = {
    [ANNOTATIONS.accountId]: accountId,
    [ANNOTATIONS.region]: region,
    [ANNOTATIONS.environment]: environment,
    [ANNOTATIONS.managedBy]: firstTagValue(tagSources, keys.managedBy),
  };
  const liveFacts = streamArn
    ? {
        [ANNOTATIONS.streamStatus]: streamStatusOf(facts),
        [ANNOTATIONS.capacityMode]: stream?.capacityMode,
        [ANNOTATIONS.shardCount]: stream?.openShardCount?.toString(),
        [ANNOTATIONS.retentionHours]: stream?.retentionHours?.toString(),
        [ANNOTATIONS.encryption]: stream && encryptionOf(stream),
        [ANNOTATIONS.enhancedMetrics]: stream?.enhancedMetrics
          ? [...stream.enhancedMetrics].sort().join(',')
          : undefined,
      }
    : {};
  const leftBehindLinks = leftBehind.map(r => ({
    url: consoleUrl(r.arn),
    title: `IAM ${r.kind} left behind, in the AWS console`,
    icon: 'cloud',
  }));
  const target = streamName ? `stream ${streamName}` : 'its streams';

  const shared = {
    integration: name,
    owner,
    system,
    environment,
    tagKeys: keys,
    annotations: common,
  };
  const parts: ResourceEntity[] = [];
  if (stream && streamArn) {
    parts.push(
      resourceEntity('stream', shared, {
        arn: streamArn,
        name: stream.name,
        description: `Kinesis stream Meter delivers SIEM events to, in ${region} of account ${accountId}.`,
        awsTags: stream.tags,
        annotations: liveFacts,
      }),
    );
  }
  if (role) {
    parts.push(
      resourceEntity('role', shared, {
        arn: role.arn,
        name: role.name,
        description: streamName
          ? `IAM role Meter assumes to write to ${streamName}.`
          : 'IAM role Meter may assume; its policies name no particular stream.',
        awsTags: role.tags,
      }),
    );
  }
  if (policy) {
    parts.push(
      resourceEntity('policy', shared, {
        arn: policy.arn,
        name: policy.name,
        description: `IAM policy letting Meter put records on ${
          streamName ?? 'Kinesis streams'
        }.`,
        awsTags: {},
      }),
    );
  }

  const externalIdNote = role
    ? externalIdNoteOf(role, settings.meterPrincipalArn)
    : `No role trusted by Meter ${
        streamArn ? 'writes to this stream any more' : 'is part of it'
      }.`;
  let summary: string;
  if (streamArn) {
    summary = `Meter SIEM integration delivering to Kinesis ${target} in ${region} of account ${accountId}.`;
  } else if (role) {
    summary = `Meter SIEM integration of role ${role.name} in account ${accountId}, whose policies name no particular Kinesis stream.`;
  } else {
    summary = `What is left of Meter SIEM integration ${integrationName} in account ${accountId}: IAM resources Backstage created that no working integration uses.`;
  }
  const leftBehindNote = leftBehind.length
    ? ` Left behind: ${leftBehind.map(r => `${r.kind} ${r.name}`).join(', ')}.`
    : '';
  const integration = entity(name, {
    type: INTEGRATION_ENTITY_TYPE,
    title: integrationName,
    description: `${summary} ${externalIdNote}${leftBehindNote}`,
    owner,
    system,
    dependsOn: parts.map(part => `resource:default/${part.metadata.name}`),
    awsTags,
    environment,
    tagKeys: keys,
    annotations: {
      ...common,
      [ANNOTATIONS.streamArn]: streamArn,
      [ANNOTATIONS.roleArn]: role?.arn,
      [ANNOTATIONS.policyArn]: policy?.arn,
      ...liveFacts,
      [ANNOTATIONS.auditFacts]: JSON.stringify(toAuditFacts(facts, settings)),
      [ANNOTATIONS.factsError]: facts.streamError,
    },
    links: [
      ...(streamArn ? [consoleLink('stream', streamArn)] : []),
      ...(role ? [consoleLink('role', role.arn)] : []),
      ...(policy ? [consoleLink('policy', policy.arn)] : []),
      ...leftBehindLinks,
    ],
  });
  return [integration, ...parts];
}

/**
 * The catalog entities of the integrations found in AWS: per integration,
 * one `meter-siem-integration` entity depending on one entity per AWS
 * resource (stream, role and, when managed, policy).
 *
 * @public
 */
export function buildIntegrationEntities(
  integrations: IntegrationFacts[],
  options: EntityBuildOptions,
): ResourceEntity[] {
  const names = integrationNames(integrations, options.settings);
  return integrations.flatMap((facts, i) =>
    entitiesOf(facts, names[i], options),
  );
}

/**
 * What the description says of the role's external ID: where to find it
 * only when there is one to find. Never its value: it is a secret shared
 * with Meter alone.
 */
function externalIdNoteOf(
  role: NonNullable<IntegrationFacts['role']>,
  principalArn: string,
): string {
  const trust = analyseTrust(role.trustPolicy, principalArn);
  const anyone =
    "anyone acting as Meter's principal may assume it without an external ID";
  if (!trust.requiresExternalId) {
    return trust.externalId === undefined
      ? `Role ${role.name} requires no external ID: ${anyone}.`
      : `Role ${role.name} does not always require its external ID: a statement of its trust policy lets ${anyone}.`;
  }
  if (trust.externalId === undefined) {
    // StringLike patterns and the like: there is no one value to give Meter.
    return `Role ${role.name} requires an external ID matching its trust policy's sts:ExternalId condition, which names no single value to give Meter.`;
  }
  return `The external ID is in the trust relationships of role ${role.name}.`;
}

/** The stream's status, `NOT_FOUND` when it is gone, unknown when unread. */
function streamStatusOf(facts: IntegrationFacts): string | undefined {
  if (facts.stream) return facts.stream.status;
  return facts.streamError ? undefined : 'NOT_FOUND';
}
