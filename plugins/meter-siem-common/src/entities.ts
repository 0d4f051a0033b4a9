import { ANNOTATIONS, integrationEntityName } from './annotations';
import { consoleUrls } from './arn';
import { toAuditFacts } from './audit';
import { AWS_MANAGED_KINESIS_KEY, INTEGRATION_ENTITY_TYPE } from './constants';
import { PolicyDocument, readTrust } from './policies';
import { ownerRefFromTag, parseRef } from './refs';
import { MeterSiemSettings } from './settings';
import { EncryptionMode } from './validation';

/**
 * A catalog `Resource` entity, typed structurally so that the domain needs
 * no `@backstage/catalog-model` at run time.
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
}

/**
 * What the provider found about one integration: a role Meter may assume
 * and one stream its policies let Meter write to.
 *
 * @public
 */
export interface IntegrationFacts {
  accountId: string;
  region: string;
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
  streamArn: string;
  /** Absent when the stream the policy names no longer exists. */
  stream?: StreamFacts;
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

const MAX_NAME_LENGTH = 63;
/** Room for `-<12-digit account>` and the longest suffix, `-policy`. */
const MAX_INTEGRATION_NAME_LENGTH = MAX_NAME_LENGTH - 13 - '-policy'.length;

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

function tagsAndLabels(awsTags: Record<string, string>): {
  tags: string[];
  labels: Record<string, string>;
} {
  const tags = new Set<string>(['meter-siem', 'aws']);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(awsTags).sort()) {
    const tag = toCatalogTag(value ? `${key}:${value}` : key);
    if (tag) tags.add(tag);
    const labelKey = toLabelPart(key);
    if (labelKey) labels[labelKey] = toLabelPart(value);
  }
  return { tags: [...tags], labels };
}

export { ownerRefFromTag };

function encryptionOf(stream: StreamFacts): EncryptionMode | undefined {
  if (!stream.encryptionType) return undefined;
  if (stream.encryptionType !== 'KMS') return 'NONE';
  return stream.keyId === AWS_MANAGED_KINESIS_KEY
    ? 'KMS_AWS_MANAGED'
    : 'KMS_CUSTOMER_KEY';
}

function policyConsoleUrl(region: string, policyArn: string): string {
  const host = region.startsWith('cn-')
    ? 'console.amazonaws.cn'
    : 'console.aws.amazon.com';
  return `https://${host}/iam/home#/policies/details/${encodeURIComponent(
    policyArn,
  )}`;
}

function streamNameOf(streamArn: string): string {
  return streamArn.slice(streamArn.indexOf(':stream/') + ':stream/'.length);
}

/**
 * The integration's name: the integration tag the template writes, else
 * the role name without the product's prefix (integrations made by hand).
 */
function baseNameOf(facts: IntegrationFacts, settings: MeterSiemSettings) {
  const key = settings.tagKeys.integration;
  const tagged = facts.stream?.tags[key] ?? facts.role?.tags[key];
  if (tagged) return tagged;
  const name = facts.role?.name ?? streamNameOf(facts.streamArn);
  return name.startsWith(settings.namePrefix) &&
    name.length > settings.namePrefix.length
    ? name.slice(settings.namePrefix.length)
    : name;
}

/**
 * Names every integration of one account uniquely. A role that may write to
 * several streams makes one integration per stream, told apart by the
 * stream's name.
 */
function integrationNames(
  integrations: IntegrationFacts[],
  settings: MeterSiemSettings,
): string[] {
  const bases = integrations.map(facts => baseNameOf(facts, settings));
  const scoped = bases.map((base, i) => `${integrations[i].accountId}/${base}`);
  return bases.map((base, i) => {
    const shared = scoped.filter(s => s === scoped[i]).length > 1;
    const raw = shared
      ? `${base}-${streamNameOf(integrations[i].streamArn)}`
      : base;
    return toEntityName(raw, MAX_INTEGRATION_NAME_LENGTH);
  });
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
      ...tagsAndLabels(fields.awsTags),
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

function entitiesOf(
  facts: IntegrationFacts,
  integrationName: string,
  options: EntityBuildOptions,
): ResourceEntity[] {
  const { settings, fallbackOwner } = options;
  const { accountId, region, role, policy, stream, streamArn } = facts;
  const keys = settings.tagKeys;
  // The stream's tags win: it is what Meter delivers to, and the template
  // tags every resource alike anyway.
  const awsTags = { ...role?.tags, ...stream?.tags };
  const owner =
    ownerRefFromTag(stream?.tags[keys.owner]) ??
    ownerRefFromTag(role?.tags[keys.owner]) ??
    fallbackOwner;
  const system = parseRef(awsTags[options.settings.tagKeys.system], ['system']);
  const streamName = stream?.name ?? streamNameOf(streamArn);
  const urls = consoleUrls({ region, streamName, roleName: role?.name ?? '' });
  const name = integrationEntityName(integrationName, accountId);
  const common = {
    [ANNOTATIONS.accountId]: accountId,
    [ANNOTATIONS.region]: region,
    [ANNOTATIONS.environment]: awsTags[keys.environment],
    [ANNOTATIONS.managedBy]: awsTags[keys.managedBy],
  };
  const liveFacts = {
    [ANNOTATIONS.streamStatus]: stream ? stream.status : 'NOT_FOUND',
    [ANNOTATIONS.capacityMode]: stream?.capacityMode,
    [ANNOTATIONS.shardCount]: stream?.openShardCount?.toString(),
    [ANNOTATIONS.retentionHours]: stream?.retentionHours?.toString(),
    [ANNOTATIONS.encryption]: stream && encryptionOf(stream),
    [ANNOTATIONS.enhancedMetrics]: stream?.enhancedMetrics
      ? [...stream.enhancedMetrics].sort().join(',')
      : undefined,
  };
  const streamLink = {
    url: urls.stream,
    title: 'Kinesis stream in the AWS console',
    icon: 'cloud',
  };
  const roleLink = role && {
    url: urls.role,
    title: 'IAM role in the AWS console',
    icon: 'cloud',
  };
  const policyLink = policy && {
    url: policyConsoleUrl(region, policy.arn),
    title: 'IAM policy in the AWS console',
    icon: 'cloud',
  };

  const parts: ResourceEntity[] = [];
  if (stream) {
    parts.push(
      entity(`${name}-stream`, {
        type: 'kinesis-stream',
        title: stream.name,
        description: `Kinesis stream Meter delivers SIEM events to, in ${region} of account ${accountId}.`,
        owner,
        system,
        awsTags: stream.tags,
        annotations: {
          ...common,
          [ANNOTATIONS.streamArn]: streamArn,
          ...liveFacts,
        },
        links: [streamLink],
      }),
    );
  }
  if (role && roleLink) {
    parts.push(
      entity(`${name}-role`, {
        type: 'aws-iam-role',
        title: role.name,
        description: `IAM role Meter assumes to write to ${streamName}.`,
        owner,
        system,
        awsTags: role.tags,
        annotations: { ...common, [ANNOTATIONS.roleArn]: role.arn },
        links: [roleLink],
      }),
    );
  }
  if (policy && policyLink) {
    parts.push(
      entity(`${name}-policy`, {
        type: 'aws-iam-policy',
        title: policy.name,
        description: `IAM policy letting Meter put records on ${streamName}.`,
        owner,
        system,
        awsTags: {},
        annotations: { ...common, [ANNOTATIONS.policyArn]: policy.arn },
        links: [policyLink],
      }),
    );
  }

  // Says only whether an external ID is required, never its value: it is
  // a secret shared with Meter alone.
  const externalId =
    role && readTrust(role.trustPolicy, settings.meterPrincipalArn).externalId;
  let externalIdNote: string;
  if (!role) {
    externalIdNote = 'No role trusted by Meter writes to this stream any more.';
  } else if (externalId) {
    externalIdNote = `The external ID is in the trust relationships of role ${role.name}.`;
  } else {
    externalIdNote = `Role ${role.name} requires no external ID: anyone acting as Meter's principal may assume it.`;
  }
  const integration = entity(name, {
    type: INTEGRATION_ENTITY_TYPE,
    title: integrationName,
    description: `Meter SIEM integration delivering to Kinesis stream ${streamName} in ${region} of account ${accountId}. ${externalIdNote}`,
    owner,
    system,
    dependsOn: parts.map(part => `resource:default/${part.metadata.name}`),
    awsTags,
    annotations: {
      ...common,
      [ANNOTATIONS.streamArn]: streamArn,
      [ANNOTATIONS.roleArn]: role?.arn,
      [ANNOTATIONS.policyArn]: policy?.arn,
      ...liveFacts,
      [ANNOTATIONS.auditFacts]: JSON.stringify(toAuditFacts(facts, settings)),
    },
    links: [
      streamLink,
      ...(roleLink ? [roleLink] : []),
      ...(policyLink ? [policyLink] : []),
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
