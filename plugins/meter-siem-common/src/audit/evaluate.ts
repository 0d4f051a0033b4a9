import { TagKeys } from '../tags';
import type { AuditFacts } from './facts';
import { RuleFinding } from './rules';
import { deliveryRules } from './deliveryRules';
import { securityRules } from './securityRules';
import { ownershipAgreement, provenance, tagRules } from './tagRules';

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
    ...securityRules(facts),
    ...deliveryRules(facts),
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
