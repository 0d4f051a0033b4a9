import { MANAGED_BY_VALUE } from '../tags';

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
  | 'facts-stale'
  | 'no-silence-alarm'
  | 'rotation-half-done';

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
  'no-silence-alarm': {
    id: 'no-silence-alarm',
    severity: 'low',
    title: 'No alarm when events stop',
    description:
      "No CloudWatch alarm on the stream's IncomingRecords fires after 10 minutes without events (Sum below 1 over at most 10 minutes, missing data breaching), as Meter's guide recommends: a broken integration goes unnoticed.",
    remedy:
      'Run the template "Alarm when a Meter SIEM integration goes silent" (meter-siem-alarm), optionally with an SNS topic to notify.',
  },
  'rotation-half-done': {
    id: 'rotation-half-done',
    severity: 'medium',
    title: 'External ID rotation left half-done',
    description:
      'The role accepts two external IDs for longer than meterSiem.audit.rotationMaxAge (default 24 hours): the rotation was started and not finished, so the old ID, which was meant to be retired, still lets its holder in as Meter.',
    remedy:
      'Check in Meter\'s Dashboard that the integration uses the new external ID and is Active, then run the template "Rotate the external ID of a Meter SIEM integration" (meter-siem-rotate-external-id) with the finish step.',
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

/** Values as a finding's message lists them: `"a", "b"`. */
export function quoted(values: string[]): string {
  return values.map(v => `"${v}"`).join(', ');
}
