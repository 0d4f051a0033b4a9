import { LIMITS, PATTERNS } from './limits';
import { ValidationIssue } from './validation';

/**
 * The tag keys the product writes and reads. Every key is configuration
 * (`meterSiem.tagKeys`); these are the documented defaults.
 *
 * @public
 */
export interface TagKeys {
  /** Catalog owner ref of the integration, e.g. `group:default/security`. */
  owner: string;
  /** Deployment environment, e.g. `production`. */
  environment: string;
  /** Who manages the resource; Backstage writes {@link MANAGED_BY_VALUE}. */
  managedBy: string;
  /** The integration name that ties a stream, a policy and a role together. */
  integration: string;
  /** Catalog system of the integration, when it has one. */
  system: string;
}

/** @public */
export const DEFAULT_TAG_KEYS: TagKeys = {
  owner: 'owner',
  environment: 'environment',
  managedBy: 'managed-by',
  integration: 'meter-siem-integration',
  system: 'system',
};

/** @public */
export const MANAGED_BY_VALUE = 'backstage';

/**
 * AWS limits on resource tags (Kinesis and IAM agree on them), as kept in
 * {@link LIMITS}.
 *
 * @public
 */
export const TAG_LIMITS = {
  maxTags: LIMITS.tagCount.max,
  maxKeyLength: LIMITS.tagKey.max,
  maxValueLength: LIMITS.tagValue.max,
} as const;

/** @public */
export type Tag = { Key: string; Value: string };

/**
 * Checks one user-supplied tag against AWS's rules.
 *
 * @public
 */
export function validateTag(
  key: string,
  value: string,
  field: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const where = `${field}.${key || '(empty key)'}`;
  if (key.length < LIMITS.tagKey.min || key.length > LIMITS.tagKey.max) {
    issues.push({
      field: where,
      message: `tag keys must be ${LIMITS.tagKey.min} to ${LIMITS.tagKey.max} characters long`,
    });
  }
  if (!PATTERNS.tagCharacters.test(key)) {
    issues.push({
      field: where,
      message:
        'tag keys may contain only letters, numbers, spaces and _ . : / = + - @',
    });
  }
  if (key.toLowerCase().startsWith('aws:')) {
    issues.push({
      field: where,
      message: 'tag keys must not start with "aws:", which AWS reserves',
    });
  }
  if (value.length > LIMITS.tagValue.max) {
    issues.push({
      field: where,
      message: `tag values must be at most ${LIMITS.tagValue.max} characters long`,
    });
  }
  if (!PATTERNS.tagCharacters.test(value)) {
    issues.push({
      field: where,
      message:
        'tag values may contain only letters, numbers, spaces and _ . : / = + - @',
    });
  }
  return issues;
}

/** @public */
export interface IntegrationTagInput {
  integrationName: string;
  owner: string;
  environment: string;
  system?: string;
  extraTags?: Record<string, string>;
  tagKeys?: TagKeys;
}

/**
 * The tag set every resource of an integration carries: the product's own
 * tags, then the user's extra tags. A user tag may not stand for a product
 * tag, in any case (the product relies on them to recognise its resources,
 * and reads their keys without regard to case): such a tag is refused with
 * the message {@link validateExtraTags} gives, not dropped.
 *
 * @public
 */
export function buildIntegrationTags(input: IntegrationTagInput): Tag[] {
  const keys = input.tagKeys ?? DEFAULT_TAG_KEYS;
  const refused = productKeyIssues(input.extraTags, keys, 'tags');
  if (refused.length > 0) {
    throw new Error(
      `Invalid extra tags: ${refused
        .map(issue => `${issue.field} ${issue.message}`)
        .join('; ')}`,
    );
  }
  const own: Tag[] = [
    { Key: keys.owner, Value: input.owner },
    { Key: keys.environment, Value: input.environment },
    { Key: keys.managedBy, Value: MANAGED_BY_VALUE },
    { Key: keys.integration, Value: input.integrationName },
    ...(input.system ? [{ Key: keys.system, Value: input.system }] : []),
  ];
  const extra = Object.entries(input.extraTags ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
  return [...own, ...extra];
}

/**
 * Extra tags that stand for a product tag key, whatever their case: IAM
 * takes keys differing only in case for one key, and the product reads its
 * keys without regard to case (`Owner` counts as `owner`).
 */
function productKeyIssues(
  extraTags: Record<string, unknown> | undefined,
  tagKeys: TagKeys,
  field: string,
): ValidationIssue[] {
  return Object.keys(extraTags ?? {}).flatMap(key => {
    const own = findProductKey(tagKeys, key);
    if (own === undefined) return [];
    return [
      {
        field: `${field}.${key}`,
        message:
          own === key
            ? `"${key}" is set by the product itself and cannot be given as an extra tag`
            : `"${key}" is the product's own tag "${own}" (IAM ignores the case of tag keys, and so does the product) and cannot be given as an extra tag`,
      },
    ];
  });
}

/** The product tag key that `key` names, whatever its case. */
function findProductKey(tagKeys: TagKeys, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.values(tagKeys).find(k => k.toLowerCase() === lower);
}

/**
 * Checks the user's extra tags, and the whole set they make with the
 * product's tags, against AWS's limits.
 *
 * @public
 */
export function validateExtraTags(
  extraTags: Record<string, string> | undefined,
  tagKeys: TagKeys = DEFAULT_TAG_KEYS,
  field = 'tags',
): ValidationIssue[] {
  const entries = Object.entries(extraTags ?? {});
  const issues = entries.flatMap(([key, value]) =>
    typeof value === 'string'
      ? validateTag(key, value, field)
      : [{ field: `${field}.${key}`, message: 'tag values must be strings' }],
  );
  const reserved = Object.values(tagKeys);
  issues.push(...productKeyIssues(extraTags, tagKeys, field));
  // IAM treats tag keys that differ only in case as the same key.
  const seen = new Map<string, string>();
  for (const [key] of entries) {
    const earlier = seen.get(key.toLowerCase());
    if (findProductKey(tagKeys, key) === undefined && earlier !== undefined) {
      issues.push({
        field: `${field}.${key}`,
        message: `"${key}" differs from the tag "${earlier}" only in case, and IAM ignores the case of tag keys`,
      });
    }
    seen.set(key.toLowerCase(), key);
  }
  const total = entries.length + reserved.length;
  if (total > LIMITS.tagCount.max) {
    issues.push({
      field,
      message: `at most ${
        LIMITS.tagCount.max - reserved.length
      } extra tags are allowed (AWS allows ${
        LIMITS.tagCount.max
      } per resource and the product sets ${reserved.length})`,
    });
  }
  return issues;
}

/** Reads a tag list (as AWS returns it) into a plain record. @public */
export function tagsToRecord(
  tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

/**
 * The key of `tags` that names `key`, ignoring case as people do (Meter's
 * guide writes `Owner` and `Environment`): the exact key first.
 *
 * @public
 */
export function findTagKey(
  tags: Record<string, string> | undefined,
  key: string,
): string | undefined {
  if (!tags) return undefined;
  if (key in tags) return key;
  const lower = key.toLowerCase();
  return Object.keys(tags).find(k => k.toLowerCase() === lower);
}

/**
 * The value of a tag of the tagging policy, whatever the case of its key.
 *
 * @public
 */
export function tagValue(
  tags: Record<string, string> | undefined,
  key: string,
): string | undefined {
  const found = findTagKey(tags, key);
  return found === undefined ? undefined : tags![found];
}

/**
 * The value of a tag of the tagging policy on the first of `sources` that
 * carries it, whatever the case of its key: sources in order of precedence
 * (a stream's tags before its role's), never merged, since a merge would
 * keep `environment` of one and `Environment` of another side by side.
 *
 * @public
 */
export function firstTagValue(
  sources: ReadonlyArray<Record<string, string> | undefined>,
  key: string,
): string | undefined {
  for (const tags of sources) {
    const value = tagValue(tags, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The keys that name a key of the tagging policy in another case, each with
 * the key the policy spells (e.g. `Owner` for `owner`); also when the
 * policy's own spelling is there too (both would then be on the resource).
 *
 * @public
 */
export function wrongCaseTagKeys(
  tags: Record<string, string> | undefined,
  policyKeys: string[],
): Array<{ key: string; expected: string }> {
  const wanted = new Map(policyKeys.map(k => [k.toLowerCase(), k]));
  return Object.keys(tags ?? {}).flatMap(key => {
    const expected = wanted.get(key.toLowerCase());
    return expected !== undefined && expected !== key
      ? [{ key, expected }]
      : [];
  });
}

/**
 * The tags of a part added to an existing integration (its alarm): the
 * owner, environment and system its stream carries (the catalog's owner
 * when the stream has none), managed-by, and the integration's name from
 * the stream's integration tag, or `fallbackName` for an integration made
 * by hand.
 *
 * @public
 */
export function tagsForNewPart(
  streamTags: Record<string, string>,
  options: { ownerRef?: string; fallbackName: string; tagKeys: TagKeys },
): { integrationName: string; tags: Tag[] } {
  const keys = options.tagKeys;
  const integrationName =
    tagValue(streamTags, keys.integration) || options.fallbackName;
  const owner = tagValue(streamTags, keys.owner) || options.ownerRef;
  const copied = (
    [
      [keys.owner, owner],
      [keys.environment, tagValue(streamTags, keys.environment)],
      [keys.system, tagValue(streamTags, keys.system)],
    ] as const
  ).flatMap(([Key, Value]) => (Value ? [{ Key, Value }] : []));
  return {
    integrationName,
    tags: [
      ...copied,
      { Key: keys.managedBy, Value: MANAGED_BY_VALUE },
      { Key: keys.integration, Value: integrationName },
    ],
  };
}
