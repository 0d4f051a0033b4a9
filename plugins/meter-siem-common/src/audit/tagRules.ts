import { comparableOwner, ownerRefFromTag } from '../refs';
import { MANAGED_BY_VALUE, TagKeys, tagValue, wrongCaseTagKeys } from '../tags';
import type { AuditOptions } from './evaluate';
import type { AuditFacts } from './facts';
import { RuleFinding, quoted, ruleFinding } from './rules';

export function tagRules(
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
      ruleFinding(
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
        ruleFinding(
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
      ruleFinding(
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
      ruleFinding(
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
      ruleFinding(
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

export function ownershipAgreement(
  facts: AuditFacts,
  tagKeys: TagKeys,
): RuleFinding[] {
  const streamOwner = tagValue(facts.streamTags, tagKeys.owner);
  const roleOwner = tagValue(facts.roleTags, tagKeys.owner);
  if (!streamOwner || !roleOwner) return [];
  if (comparableOwner(streamOwner) === comparableOwner(roleOwner)) return [];
  return [
    ruleFinding(
      'owner-mismatch',
      'integration',
      `The stream's ${tagKeys.owner} tag is "${streamOwner}" but the role's is "${roleOwner}".`,
    ),
  ];
}

export function provenance(facts: AuditFacts, tagKeys: TagKeys): RuleFinding[] {
  const values = [facts.streamTags, facts.roleTags]
    .filter((tags): tags is Record<string, string> => tags !== undefined)
    .map(tags => tagValue(tags, tagKeys.managedBy));
  // Only resources left behind (found by Backstage's own tags): no claim.
  if (values.length === 0 || values.includes(MANAGED_BY_VALUE)) return [];
  const other = values.find(Boolean);
  return [
    ruleFinding(
      'unmanaged',
      'integration',
      other
        ? `The ${tagKeys.managedBy} tag is "${other}", not "${MANAGED_BY_VALUE}": the integration was made outside Backstage.`
        : `No ${tagKeys.managedBy} tag: the integration was made outside Backstage.`,
    ),
  ];
}
