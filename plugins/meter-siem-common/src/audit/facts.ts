import type { SilenceAlarmFacts } from '../alarms';
import type { IntegrationFacts } from '../entities';
import {
  PolicyStatement,
  actionsOf,
  analyseTrust,
  resourcesOf,
  statementsOf,
} from '../policies';
import { MeterSiemSettings } from '../settings';
import { tagValue } from '../tags';
import { ROTATION_TAG_KEY } from '../rotation';

/**
 * What the audit needs to know about one integration, as recorded on its
 * catalog entity (annotation `meter-siem.io/audit-facts`). It never holds
 * the external ID, only whether one is required.
 *
 * @public
 */
export interface AuditFacts {
  /** Absent when the role's policies name no particular stream. */
  streamArn?: string;
  /** Tags of the stream; absent when the stream no longer exists. */
  streamTags?: Record<string, string>;
  /**
   * The stream's alarm on silence; `null` when the sync looked and found
   * none, absent when it did not look (facts older than the alarm check).
   */
  silenceAlarm?: SilenceAlarmFacts | null;
  /**
   * The stream's region could not be read in the latest sync: its absence
   * says nothing about the stream (the facts-stale rule reports the age).
   */
  streamUnreadable?: boolean;
  /**
   * The stream has not been read yet (the catalog reads a limited number of
   * streams per sync, and this one's turn has not come): its facts are
   * unknown, not missing. Set with `streamUnreadable`.
   */
  streamPending?: boolean;
  /**
   * For a stream no role names: the roles trusted by Meter whose wildcard
   * grants reach it all the same.
   */
  streamReachableBy?: string[];
  /** Absent when no role trusted by Meter writes to the stream. */
  roleArn?: string;
  roleTags?: Record<string, string>;
  trust?: {
    trustsMeter: boolean;
    hasExternalIdCondition: boolean;
    /** Present (true) when a statement lets any principal assume the role. */
    anyPrincipal?: boolean;
    /** Present when principals besides Meter's may assume the role. */
    otherPrincipals?: string[];
    /** Present when the role accepts more than one external ID. */
    externalIdCount?: number;
    /** When a rotation of the external ID started (the role's tag). */
    rotationStartedAt?: string;
  };
  /** The managed policy granting the writes, if any. */
  policyArn?: string;
  /** The Allow statements of every policy of the role, summarised. */
  permissions?: {
    statements: StatementSummary[];
    /** Attached policies whose document the audit cannot read (AWS-managed). */
    unreadPolicyArns: string[];
  };
  /**
   * Roles and policies carrying Backstage's tags for an integration
   * (`integration`, the tag's value) that are part of no working one.
   */
  leftBehind?: Array<{
    resource: 'role' | 'policy';
    arn: string;
    integration: string;
  }>;
}

/**
 * An Allow statement's reach. `NotAction` and `NotResource` allow all but
 * what they list: they read as `*`, with what they leave out alongside.
 *
 * @public
 */
export interface StatementSummary {
  actions: string[];
  resources: string[];
  notActions?: string[];
  notResources?: string[];
}

function summarise(statement: PolicyStatement): StatementSummary {
  const { NotAction, NotResource } = statement;
  return {
    actions: NotAction !== undefined ? ['*'] : actionsOf(statement),
    resources: NotResource !== undefined ? ['*'] : resourcesOf(statement),
    ...(NotAction !== undefined && { notActions: [NotAction].flat() }),
    ...(NotResource !== undefined && { notResources: [NotResource].flat() }),
  };
}

/**
 * The audit's view of what the catalog provider found about one integration.
 *
 * @public
 */
export function toAuditFacts(
  facts: IntegrationFacts & {
    /** The provider's: the stream was not read yet (see AuditFacts). */
    streamPending?: boolean;
  },
  settings: MeterSiemSettings,
): AuditFacts {
  const { role, stream, permissions } = facts;
  const audit: AuditFacts = {};
  if (facts.streamArn) audit.streamArn = facts.streamArn;
  if (stream) audit.streamTags = stream.tags;
  if (stream?.silenceAlarm !== undefined) {
    audit.silenceAlarm = stream.silenceAlarm;
  }
  if (facts.streamError) audit.streamUnreadable = true;
  if (facts.streamPending) audit.streamPending = true;
  if (facts.reachableBy?.length) audit.streamReachableBy = facts.reachableBy;
  if (facts.policy) audit.policyArn = facts.policy.arn;
  if (role) {
    audit.roleArn = role.arn;
    audit.roleTags = role.tags;
    const trust = analyseTrust(role.trustPolicy, settings.meterPrincipalArn);
    audit.trust = {
      trustsMeter: trust.trustsMeter,
      hasExternalIdCondition: trust.requiresExternalId,
      ...(trust.anyPrincipal && { anyPrincipal: true }),
      ...(trust.otherPrincipals.length > 0 && {
        otherPrincipals: trust.otherPrincipals,
      }),
      ...(trust.externalIds.length > 1 && {
        externalIdCount: trust.externalIds.length,
      }),
      ...(role.tags[ROTATION_TAG_KEY] && {
        rotationStartedAt: role.tags[ROTATION_TAG_KEY],
      }),
    };
    if (permissions) {
      audit.permissions = {
        statements: permissions.flatMap(p =>
          statementsOf(p.document)
            .filter(s => s.Effect === 'Allow')
            .map(summarise),
        ),
        unreadPolicyArns: permissions
          .filter(p => !p.document && p.policyArn)
          .map(p => p.policyArn!),
      };
    }
  }
  if (facts.leftBehind?.length) {
    audit.leftBehind = facts.leftBehind.map(r => ({
      resource: r.kind,
      arn: r.arn,
      integration: tagValue(r.tags, settings.tagKeys.integration) ?? '',
    }));
  }
  return audit;
}

/**
 * Reads the audit facts recorded on an entity; `undefined` when they are
 * absent or unreadable.
 *
 * @public
 */
export function parseAuditFacts(
  value: string | undefined,
): AuditFacts | undefined {
  if (!value) return undefined;
  try {
    const facts = JSON.parse(value);
    if (!facts || typeof facts !== 'object') return undefined;
    // An integration has a stream, a role, or only what was left behind.
    const readable =
      typeof facts.streamArn === 'string' ||
      typeof facts.roleArn === 'string' ||
      Array.isArray(facts.leftBehind);
    return readable ? facts : undefined;
  } catch {
    return undefined;
  }
}
