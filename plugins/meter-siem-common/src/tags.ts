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

/** AWS limits on resource tags (Kinesis and IAM agree on them). @public */
export const TAG_LIMITS = {
  maxTags: 50,
  maxKeyLength: 128,
  maxValueLength: 256,
} as const;

/** @public */
export type Tag = { Key: string; Value: string };

/**
 * Characters AWS accepts in tag keys and values: letters, numbers, spaces
 * and `_ . : / = + - @`.
 */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

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
  if (key.length < 1 || key.length > TAG_LIMITS.maxKeyLength) {
    issues.push({
      field: where,
      message: `tag keys must be 1 to ${TAG_LIMITS.maxKeyLength} characters long`,
    });
  }
  if (!TAG_CHARACTERS.test(key)) {
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
  if (value.length > TAG_LIMITS.maxValueLength) {
    issues.push({
      field: where,
      message: `tag values must be at most ${TAG_LIMITS.maxValueLength} characters long`,
    });
  }
  if (!TAG_CHARACTERS.test(value)) {
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
 * tags, then the user's extra tags. A user tag may not override a product
 * tag, since the product relies on them to recognise its resources.
 *
 * @public
 */
export function buildIntegrationTags(input: IntegrationTagInput): Tag[] {
  const keys = input.tagKeys ?? DEFAULT_TAG_KEYS;
  const own: Tag[] = [
    { Key: keys.owner, Value: input.owner },
    { Key: keys.environment, Value: input.environment },
    { Key: keys.managedBy, Value: MANAGED_BY_VALUE },
    { Key: keys.integration, Value: input.integrationName },
    ...(input.system ? [{ Key: keys.system, Value: input.system }] : []),
  ];
  // IAM compares tag keys without regard to case.
  const reserved = new Set(own.map(t => t.Key.toLowerCase()));
  const extra = Object.entries(input.extraTags ?? {})
    .filter(([key]) => !reserved.has(key.toLowerCase()))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Key, Value]) => ({ Key, Value }));
  return [...own, ...extra];
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
  // IAM treats tag keys that differ only in case as the same key.
  const seen = new Map<string, string>();
  for (const [key] of entries) {
    const own = reserved.find(r => r.toLowerCase() === key.toLowerCase());
    const earlier = seen.get(key.toLowerCase());
    if (own !== undefined) {
      issues.push({
        field: `${field}.${key}`,
        message:
          own === key
            ? `"${key}" is set by the product itself and cannot be given as an extra tag`
            : `"${key}" is the product's own tag "${own}" (IAM ignores the case of tag keys) and cannot be given as an extra tag`,
      });
    } else if (earlier !== undefined) {
      issues.push({
        field: `${field}.${key}`,
        message: `"${key}" differs from the tag "${earlier}" only in case, and IAM ignores the case of tag keys`,
      });
    }
    seen.set(key.toLowerCase(), key);
  }
  const total = entries.length + reserved.length;
  if (total > TAG_LIMITS.maxTags) {
    issues.push({
      field,
      message: `at most ${
        TAG_LIMITS.maxTags - reserved.length
      } extra tags are allowed (AWS allows ${
        TAG_LIMITS.maxTags
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
