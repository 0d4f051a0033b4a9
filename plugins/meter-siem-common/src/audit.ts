import { METER_WRITE_ACTIONS } from './constants';
import { mayWriteStreams } from './discovery';
import type { IntegrationFacts } from './entities';
import {
  KMS_PRODUCER_ACTION,
  PolicyStatement,
  actionsOf,
  analyseTrust,
  matchesAction,
  resourcesOf,
  statementsOf,
} from './policies';
import { ownerRefFromTag } from './refs';
import { MeterSiemSettings } from './settings';
import { MANAGED_BY_VALUE, TagKeys, tagValue, wrongCaseTagKeys } from './tags';

/** @public */
export type AuditSeverity = 'critical' | 'high' | 'medium' | 'low';

/** Most severe first: the order of the report. @public */
export const AUDIT_SEVERITIES: readonly AuditSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
];

/** Which part of an integration a finding is about. @public */
export type AuditResource = 'stream' | 'role' | 'policy' | 'integration';

/** @public */
export type AuditRuleId =
  | 'owner-tag-missing'
  | 'owner-unknown'
  | 'owner-mismatch'
  | 'required-tag-missing'
  | 'tag-value-not-allowed'
  | 'tag-key-case'
  | 'unmanaged'
  | 'trust-without-external-id'
  | 'trust-any-principal'
  | 'trust-extra-principals'
  | 'policy-too-broad'
  | 'no-stream-grant'
  | 'counterpart-missing'
  | 'left-behind'
  | 'facts-stale';

/** @public */
export interface AuditRule {
  id: AuditRuleId;
  severity: AuditSeverity;
  title: string;
  /** When the rule fires. */
  description: string;
  remedy: string;
}

const FIX_TEMPLATE =
  'Run the template "Fix ownership tags of a Meter SIEM integration" (meter-siem-fix-ownership-tags)';

/**
 * Every rule of the audit. Security posture outranks tags: a role anyone
 * acting as Meter may assume, or a policy granting more than two writes,
 * matters more than who owns it.
 *
 * @public
 */
export const AUDIT_RULES: Record<AuditRuleId, AuditRule> = {
  'trust-without-external-id': {
    id: 'trust-without-external-id',
    severity: 'critical',
    title: 'Role trusts Meter without an external ID',
    description:
      "The role lets Meter's principal assume it in a statement without an sts:ExternalId condition.",
    remedy:
      "Add a StringEquals sts:ExternalId condition to every statement of the trust policy that names Meter, with the external ID entered in Meter's Dashboard (or re-create the integration with the template, which generates one).",
  },
  'trust-any-principal': {
    id: 'trust-any-principal',
    severity: 'critical',
    title: 'Role trusts any principal',
    description:
      'A statement of the trust policy lets any principal assume the role: Principal "*" (or {"AWS": "*"}), or a NotPrincipal, with an action covering sts:AssumeRole.',
    remedy:
      "Replace the principal with Meter's service role ARN alone (meterSiem.meterPrincipalArn) and keep the sts:ExternalId condition, or re-create the integration with the template.",
  },
  'trust-extra-principals': {
    id: 'trust-extra-principals',
    severity: 'high',
    title: 'Role trusts principals besides Meter',
    description:
      "The trust policy lets principals other than Meter's service role assume the role, in the statements that let Meter in or in others (any assume action, any kind of principal).",
    remedy:
      "Remove every principal but Meter's service role from the trust policy; a principal that needs to write to the stream gets a role of its own.",
  },
  'policy-too-broad': {
    id: 'policy-too-broad',
    severity: 'high',
    title: 'Permissions broader than PutRecord and PutRecords on the stream',
    description:
      "The role's policies allow an action other than kinesis:PutRecord and kinesis:PutRecords (wildcards and NotAction count as more), a resource other than the integration's stream (wildcards and NotResource too), or include an AWS-managed policy. One statement allowing kms:GenerateDataKey on one KMS key ARN in the stream's account and region (a stream encrypted with a customer-managed key needs it) is accepted.",
    remedy:
      "Reduce the role's permissions to one statement allowing kinesis:PutRecord and kinesis:PutRecords on exactly the stream ARN (plus kms:GenerateDataKey on exactly the stream's customer-managed key, if it has one), and detach any other policy.",
  },
  'no-stream-grant': {
    id: 'no-stream-grant',
    severity: 'high',
    title: 'Role trusted by Meter may write to no stream',
    description:
      "The role lets Meter assume it, but none of its policies allows kinesis:PutRecord or kinesis:PutRecords on anything that can be a Kinesis stream: Meter's deliveries fail with Unauthorized.",
    remedy:
      'Attach the least-privilege policy for the stream Meter delivers to (the template meter-siem-integration creates both), or delete the role if it is no longer used.',
  },
  'counterpart-missing': {
    id: 'counterpart-missing',
    severity: 'high',
    title: 'Stream or role of the integration is gone',
    description:
      "The role's policy names a stream that no longer exists, or a stream named with the product's prefix has no role trusted by Meter writing to it.",
    remedy:
      'Re-create the missing resource with the template meter-siem-integration, or delete what is left of the integration.',
  },
  'left-behind': {
    id: 'left-behind',
    severity: 'medium',
    title: 'Role or policy left behind',
    description:
      'A role or customer-managed policy carries the tags Backstage writes (managed-by and the integration tag) but is part of no working integration: a policy attached to no role Meter may assume, or a role that no longer lets Meter assume it. A run that stopped half-way or a partial clean-up leaves these.',
    remedy:
      'To finish the integration, run the template meter-siem-integration again with the same name and values: it reuses what it made. Otherwise delete what is left in IAM: for a policy, detach it from every role, delete its non-default versions, then delete it; for a role, delete its inline policies, detach its managed policies, then delete it.',
  },
  'owner-tag-missing': {
    id: 'owner-tag-missing',
    severity: 'medium',
    title: 'Owner tag missing',
    description: 'The stream or the role has no owner tag.',
    remedy: `${FIX_TEMPLATE} to tag every resource with its owner.`,
  },
  'owner-unknown': {
    id: 'owner-unknown',
    severity: 'medium',
    title: 'Owner tag names no catalog group or user',
    description:
      'The owner tag of the stream or the role names no Group or User in the catalog (a bare name means a group in the default namespace).',
    remedy: `${FIX_TEMPLATE} and pick an existing group or user, or add the missing group to the catalog.`,
  },
  'owner-mismatch': {
    id: 'owner-mismatch',
    severity: 'medium',
    title: 'Stream and role name different owners',
    description: 'The owner tags of the stream and the role disagree.',
    remedy: `${FIX_TEMPLATE} to give the stream, the role and the policy the same owner.`,
  },
  'required-tag-missing': {
    id: 'required-tag-missing',
    severity: 'low',
    title: 'Required tags missing',
    description:
      'The stream or the role lacks a tag of meterSiem.audit.requiredTags (the owner tag is left to owner-tag-missing).',
    remedy: `${FIX_TEMPLATE}, giving the missing tags as extra tags if they are not the environment.`,
  },
  'tag-value-not-allowed': {
    id: 'tag-value-not-allowed',
    severity: 'low',
    title: 'Tag value outside the allowed set',
    description:
      'A tag of the stream or the role has a value outside meterSiem.audit.allowedValues for its key.',
    remedy: `${FIX_TEMPLATE} with an allowed value.`,
  },
  unmanaged: {
    id: 'unmanaged',
    severity: 'low',
    title: 'Made outside Backstage',
    description: `Neither the stream nor the role carries the managed-by tag with value ${MANAGED_BY_VALUE}: the integration was made by hand or by another tool.`,
    remedy:
      'Re-create the integration with the template meter-siem-integration so that it is provisioned the same way as the others, then delete the hand-made resources; or accept the finding.',
  },
  'facts-stale': {
    id: 'facts-stale',
    severity: 'medium',
    title: 'Facts are stale',
    description:
      'The catalog has not read this integration from AWS for longer than meterSiem.audit.staleAfter (default 2 hours): its account failed to sync since, so its other findings may be out of date.',
    remedy:
      "Fix what the message says the sync failed on (usually the credentials Backstage uses for the account, or their permissions, see the catalog module's README), then wait for the next sync.",
  },
  'tag-key-case': {
    id: 'tag-key-case',
    severity: 'low',
    title: 'Tag key differs in case from the tagging policy',
    description:
      "The stream or the role carries a tag of the tagging policy (meterSiem.tagKeys, meterSiem.audit.requiredTags, the keys of meterSiem.audit.allowedValues) under a key in another case (Owner for owner, as Meter's guide writes them). The product reads it all the same; tools that match keys exactly do not, and Kinesis keeps both spellings side by side.",
    remedy: `${FIX_TEMPLATE}: it renames the product's tag keys to the policy's spelling on the stream, the role and the policy, keeping their values. Give any other required tag as an extra tag, spelled as the policy does: it renames that key too.`,
  },
};

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
   * The stream's region could not be read in the latest sync: its absence
   * says nothing about the stream (the facts-stale rule reports the age).
   */
  streamUnreadable?: boolean;
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
  facts: IntegrationFacts,
  settings: MeterSiemSettings,
): AuditFacts {
  const { role, stream, permissions } = facts;
  const audit: AuditFacts = {};
  if (facts.streamArn) audit.streamArn = facts.streamArn;
  if (stream) audit.streamTags = stream.tags;
  if (facts.streamError) audit.streamUnreadable = true;
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

/** The audit's configuration. @public */
export interface AuditOptions {
  tagKeys: TagKeys;
  /** Tag keys every stream and role must carry. */
  requiredTags: string[];
  /** Per tag key, the values it may take; keys not listed take any value. */
  allowedValues: Record<string, string[]>;
  /**
   * Refs of the catalog's groups and users, lowercase. Without it,
   * `owner-unknown` is not evaluated.
   */
  knownOwners?: ReadonlySet<string>;
}

/** The default required tags: the owner and the environment. @public */
export function defaultRequiredTags(tagKeys: TagKeys): string[] {
  return [tagKeys.owner, tagKeys.environment];
}

/** A rule's finding on one integration, before it is placed in a report. @public */
export interface RuleFinding {
  ruleId: AuditRuleId;
  severity: AuditSeverity;
  title: string;
  message: string;
  remedy: string;
  resource: AuditResource;
  resourceArn?: string;
}

function finding(
  ruleId: AuditRuleId,
  resource: AuditResource,
  message: string,
  resourceArn?: string,
): RuleFinding {
  const { severity, title, remedy } = AUDIT_RULES[ruleId];
  return {
    ruleId,
    severity,
    title,
    message,
    remedy,
    resource,
    ...(resourceArn && { resourceArn }),
  };
}

const METER_ACTIONS = new Set(METER_WRITE_ACTIONS.map(a => a.toLowerCase()));

function quoted(values: string[]): string {
  return values.map(v => `"${v}"`).join(', ');
}

function tagRules(
  resource: 'stream' | 'role',
  arn: string | undefined,
  tags: Record<string, string>,
  options: AuditOptions,
): RuleFinding[] {
  const found: RuleFinding[] = [];
  const { tagKeys } = options;
  const owner = tagValue(tags, tagKeys.owner);
  if (!owner) {
    found.push(
      finding(
        'owner-tag-missing',
        resource,
        `The ${resource} has no ${tagKeys.owner} tag.`,
        arn,
      ),
    );
  } else if (options.knownOwners) {
    const ref = ownerRefFromTag(owner);
    if (!ref || !options.knownOwners.has(ref.toLowerCase())) {
      found.push(
        finding(
          'owner-unknown',
          resource,
          ref
            ? `The ${resource}'s ${tagKeys.owner} tag "${owner}" names ${ref}, which is not in the catalog.`
            : `The ${resource}'s ${tagKeys.owner} tag "${owner}" is not a group or user reference.`,
          arn,
        ),
      );
    }
  }
  const missing = options.requiredTags.filter(
    key =>
      key.toLowerCase() !== tagKeys.owner.toLowerCase() && !tagValue(tags, key),
  );
  if (missing.length > 0) {
    found.push(
      finding(
        'required-tag-missing',
        resource,
        `The ${resource} lacks the required tag${
          missing.length > 1 ? 's' : ''
        } ${quoted(missing)}.`,
        arn,
      ),
    );
  }
  // Allowed values compare as people write them: Production is production.
  const outside = Object.entries(options.allowedValues).flatMap(
    ([key, allowed]) => {
      const value = tagValue(tags, key);
      return value &&
        !allowed.some(a => a.toLowerCase() === value.toLowerCase())
        ? [{ key, value, allowed }]
        : [];
    },
  );
  if (outside.length > 0) {
    found.push(
      finding(
        'tag-value-not-allowed',
        resource,
        outside
          .map(
            ({ key, value, allowed }) =>
              `The ${resource}'s ${key} tag is "${value}", not one of ${quoted(
                allowed,
              )}.`,
          )
          .join(' '),
        arn,
      ),
    );
  }
  const wrongCase = wrongCaseTagKeys(tags, [
    ...Object.values(tagKeys),
    ...options.requiredTags,
    ...Object.keys(options.allowedValues),
  ]);
  if (wrongCase.length > 0) {
    found.push(
      finding(
        'tag-key-case',
        resource,
        `The ${resource}'s tag key${wrongCase.length > 1 ? 's' : ''} ${wrongCase
          .map(w => `"${w.key}" (the policy spells it "${w.expected}")`)
          .join(', ')} differ${
          wrongCase.length > 1 ? '' : 's'
        } in case from the tagging policy; they count, but tools that match keys exactly miss them.`,
        arn,
      ),
    );
  }
  return found;
}

function ownershipAgreement(
  facts: AuditFacts,
  tagKeys: TagKeys,
): RuleFinding[] {
  const streamOwner = tagValue(facts.streamTags, tagKeys.owner);
  const roleOwner = tagValue(facts.roleTags, tagKeys.owner);
  if (!streamOwner || !roleOwner) return [];
  // `security` and `group:default/security` name the same owner.
  const normal = (value: string) =>
    (ownerRefFromTag(value) ?? value).toLowerCase();
  if (normal(streamOwner) === normal(roleOwner)) return [];
  return [
    finding(
      'owner-mismatch',
      'integration',
      `The stream's ${tagKeys.owner} tag is "${streamOwner}" but the role's is "${roleOwner}".`,
    ),
  ];
}

function provenance(facts: AuditFacts, tagKeys: TagKeys): RuleFinding[] {
  const values = [facts.streamTags, facts.roleTags]
    .filter((tags): tags is Record<string, string> => tags !== undefined)
    .map(tags => tagValue(tags, tagKeys.managedBy));
  // Only resources left behind (found by Backstage's own tags): no claim.
  if (values.length === 0 || values.includes(MANAGED_BY_VALUE)) return [];
  const other = values.find(Boolean);
  return [
    finding(
      'unmanaged',
      'integration',
      other
        ? `The ${tagKeys.managedBy} tag is "${other}", not "${MANAGED_BY_VALUE}": the integration was made outside Backstage.`
        : `No ${tagKeys.managedBy} tag: the integration was made outside Backstage.`,
    ),
  ];
}

/** Whether a summarised statement allows an action, as IAM matches actions. */
function allows(statement: StatementSummary, action: string): boolean {
  return statement.notActions
    ? !statement.notActions.some(p => matchesAction(p, action))
    : statement.actions.some(p => matchesAction(p, action));
}

/**
 * The statements granting what a stream encrypted with a customer-managed
 * key needs: only `kms:GenerateDataKey`, on key ARNs in the stream's
 * account and region, one key in all. Anything broader is not accepted.
 */
function kmsStatements(facts: AuditFacts): Set<StatementSummary> {
  const statements = facts.permissions?.statements ?? [];
  if (!facts.streamArn) return new Set();
  const [, partition, , region, account] = facts.streamArn.split(':');
  const isKey = (arn: string) => {
    const [scheme, p, service, r, a, resource = ''] = arn.split(':');
    return (
      scheme === 'arn' &&
      p === partition &&
      service === 'kms' &&
      r === region &&
      a === account &&
      /^key\/[^*?]+$/.test(resource)
    );
  };
  const candidates = statements.filter(
    s =>
      !s.notActions &&
      !s.notResources &&
      s.actions.length > 0 &&
      s.actions.every(
        a => a.toLowerCase() === KMS_PRODUCER_ACTION.toLowerCase(),
      ) &&
      s.resources.length > 0 &&
      s.resources.every(isKey),
  );
  const keys = new Set(candidates.flatMap(s => s.resources));
  return keys.size === 1 ? new Set(candidates) : new Set();
}

function trustRules(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [];
  const { trust } = facts;
  if (trust?.anyPrincipal) {
    found.push(
      finding(
        'trust-any-principal',
        'role',
        'The role\'s trust policy lets any principal assume it (Principal "*" or NotPrincipal): anyone in any AWS account who can meet its conditions can write wherever the role can.',
        facts.roleArn,
      ),
    );
  }
  if (trust?.trustsMeter && !trust.hasExternalIdCondition) {
    found.push(
      finding(
        'trust-without-external-id',
        'role',
        "The role's trust policy lets Meter's principal assume it without an sts:ExternalId condition: anyone who can act as that principal can write to the stream.",
        facts.roleArn,
      ),
    );
  }
  if (trust?.otherPrincipals?.length) {
    found.push(
      finding(
        'trust-extra-principals',
        'role',
        `The role's trust policy lets ${quoted(
          trust.otherPrincipals,
        )} assume it besides Meter's principal.`,
        facts.roleArn,
      ),
    );
  }
  return found;
}

function permissionRules(facts: AuditFacts): RuleFinding[] {
  if (!facts.permissions) return [];
  const found: RuleFinding[] = [];
  const { statements, unreadPolicyArns } = facts.permissions;
  const kms = kmsStatements(facts);
  const actions = new Set<string>();
  const resources = new Set<string>();
  const negations: string[] = [];
  for (const statement of statements) {
    if (kms.has(statement)) continue;
    if (statement.notActions) {
      negations.push(
        `allow every action but ${quoted(statement.notActions)} (NotAction)`,
      );
    } else {
      for (const action of statement.actions) {
        if (!METER_ACTIONS.has(action.toLowerCase())) actions.add(action);
      }
    }
    if (statement.notResources) {
      negations.push(
        `reach every resource but ${quoted(
          statement.notResources,
        )} (NotResource)`,
      );
    } else {
      for (const resource of statement.resources) {
        if (resource !== facts.streamArn) resources.add(resource);
      }
    }
  }
  const reach = quoted([...resources].sort());
  const reasons = [
    ...(actions.size > 0 ? [`allow ${quoted([...actions].sort())}`] : []),
    ...(resources.size > 0
      ? [
          facts.streamArn
            ? `reach ${reach} besides the stream`
            : `reach ${reach}`,
        ]
      : []),
    ...negations,
    ...(unreadPolicyArns.length > 0
      ? [`include the AWS-managed ${quoted(unreadPolicyArns)}`]
      : []),
  ];
  if (reasons.length > 0) {
    found.push(
      finding(
        'policy-too-broad',
        'policy',
        `The role's policies ${reasons.join('; ')}.`,
        facts.policyArn ?? facts.roleArn,
      ),
    );
  }
  // Unread (AWS-managed) policies may grant the writes: no claim then.
  const writes = statements.some(
    s =>
      METER_WRITE_ACTIONS.some(action => allows(s, action)) &&
      mayWriteStreams(s.resources),
  );
  if (
    facts.roleArn &&
    !facts.streamArn &&
    !writes &&
    unreadPolicyArns.length === 0
  ) {
    found.push(
      finding(
        'no-stream-grant',
        'role',
        "None of the role's policies lets it put records on a Kinesis stream: Meter can assume the role but cannot deliver.",
        facts.roleArn,
      ),
    );
  }
  return found;
}

function leftBehindRules(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [];
  for (const resource of ['policy', 'role'] as const) {
    const left = (facts.leftBehind ?? []).filter(r => r.resource === resource);
    if (left.length === 0) continue;
    const why =
      resource === 'policy'
        ? 'attached to no role Meter may assume'
        : "a role that does not let Meter's principal assume it";
    found.push(
      finding(
        'left-behind',
        resource,
        left
          .map(
            r =>
              `The ${resource} ${r.arn} was created by Backstage for integration "${r.integration}" but is not part of a working integration: ${why}.`,
          )
          .join(' '),
        left.length === 1 ? left[0].arn : undefined,
      ),
    );
  }
  return found;
}

function security(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [
    ...trustRules(facts),
    ...permissionRules(facts),
  ];
  if (
    facts.streamArn &&
    !facts.streamTags &&
    !facts.streamUnreadable &&
    facts.roleArn
  ) {
    found.push(
      finding(
        'counterpart-missing',
        'stream',
        `The role's policy grants writes to ${facts.streamArn}, which no longer exists: Meter's deliveries fail.`,
        facts.streamArn,
      ),
    );
  }
  if (!facts.roleArn && facts.streamTags) {
    const reachable = facts.streamReachableBy ?? [];
    found.push(
      finding(
        'counterpart-missing',
        'role',
        reachable.length > 0
          ? `No role trusted by Meter names this stream; only the wildcard grants of ${quoted(
              reachable,
            )} reach it, which no integration should rely on.`
          : 'No role trusted by Meter may write to this stream: Meter cannot deliver to it.',
      ),
    );
  }
  found.push(...leftBehindRules(facts));
  return found;
}

/**
 * Evaluates every rule on one integration.
 *
 * @public
 */
export function auditIntegration(
  facts: AuditFacts,
  options: AuditOptions,
): RuleFinding[] {
  const streamArn = facts.streamTags ? facts.streamArn : undefined;
  return [
    ...security(facts),
    ...(facts.streamTags
      ? tagRules('stream', streamArn, facts.streamTags, options)
      : []),
    ...(facts.roleTags
      ? tagRules('role', facts.roleArn, facts.roleTags, options)
      : []),
    ...ownershipAgreement(facts, options.tagKeys),
    ...provenance(facts, options.tagKeys),
  ];
}

/**
 * A finding as the audit API reports it: the rule's finding placed on its
 * integration.
 *
 * @public
 */
export interface AuditFinding extends RuleFinding {
  /** Stable across syncs: `<ruleId>:<entityRef>:<resource>`. */
  id: string;
  /** Ref of the integration entity. */
  entityRef: string;
  /** The integration's name. */
  integration: string;
  /** Ref of the integration's owner in the catalog. */
  owner: string;
  accountId: string;
  region: string;
  /** The environment tag, or an empty string when there is none. */
  environment: string;
  /** Whether the caller is among the owners of the integration. */
  mine: boolean;
}

/** @public */
export interface AuditReport {
  findings: AuditFinding[];
  counts: {
    bySeverity: Record<AuditSeverity, number>;
    byOwner: Record<string, number>;
  };
  generatedAt: string;
  /**
   * When the oldest facts in the report were read from AWS: the report is
   * as fresh as that, not as `generatedAt`.
   */
  factsReadAt?: string;
}

/** The caller's own first, then the most severe, then by integration. @public */
export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  return (
    Number(b.mine) - Number(a.mine) ||
    AUDIT_SEVERITIES.indexOf(a.severity) -
      AUDIT_SEVERITIES.indexOf(b.severity) ||
    a.integration.localeCompare(b.integration) ||
    a.entityRef.localeCompare(b.entityRef) ||
    a.id.localeCompare(b.id)
  );
}

/** Counts by severity and by owner. @public */
export function countFindings(findings: AuditFinding[]): AuditReport['counts'] {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0 };
  const byOwner: Record<string, number> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byOwner[f.owner] = (byOwner[f.owner] ?? 0) + 1;
  }
  return { bySeverity, byOwner };
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

/**
 * A finding of one rule, with the rule's severity, title and remedy.
 *
 * @public
 */
export function ruleFinding(
  ruleId: AuditRuleId,
  resource: AuditResource,
  message: string,
  resourceArn?: string,
): RuleFinding {
  return finding(ruleId, resource, message, resourceArn);
}
