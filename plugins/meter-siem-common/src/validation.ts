import { ResourceArnKind, resourceArnKind, tryParseArn } from './arn';
import { LIMITS, PATTERNS } from './limits';
import { OWNER_KINDS, parseCatalogRef } from './refs';
import { TagKeys, DEFAULT_TAG_KEYS, validateExtraTags } from './tags';

/**
 * One broken rule: the input field it concerns and what the rule is.
 *
 * @public
 */
export interface ValidationIssue {
  field: string;
  message: string;
}

/** @public */
export type CapacityMode = 'PROVISIONED' | 'ON_DEMAND';

/** @public */
export type EncryptionMode = 'NONE' | 'KMS_AWS_MANAGED' | 'KMS_CUSTOMER_KEY';

type Check = (value: unknown, field: string) => ValidationIssue[];

function issue(field: string, message: string): ValidationIssue[] {
  return [{ field, message }];
}

function lengthRule(min: number, max: number) {
  return (value: string, field: string) => {
    if (value.length >= min && value.length <= max) return [];
    return min === max
      ? issue(field, `must be exactly ${min} characters long`)
      : issue(field, `must be ${min} to ${max} characters long`);
  };
}

/** A string of `limits` length that matches `shape` (a pattern or a test). */
function stringRule(
  limits: { min: number; max: number },
  shape: RegExp | ((value: string) => boolean),
  describe: string,
): Check {
  const matches =
    shape instanceof RegExp ? (value: string) => shape.test(value) : shape;
  return (value, field) => {
    if (value === undefined || value === null)
      return issue(field, 'is required');
    if (typeof value !== 'string') return issue(field, 'must be a string');
    const length = lengthRule(limits.min, limits.max)(value, field);
    if (length.length) return length;
    return matches(value) ? [] : issue(field, describe);
  };
}

function integerRule(limits: { min: number; max: number }): Check {
  return (value, field) => {
    if (value === undefined || value === null)
      return issue(field, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return issue(field, 'must be a whole number');
    }
    return value < limits.min || value > limits.max
      ? issue(field, `must be between ${limits.min} and ${limits.max}`)
      : [];
  };
}

/**
 * The rules, one per kind of field, so that every adapter (form, action,
 * provider) applies the same ones.
 *
 * @public
 */
export const rules = {
  integrationName: stringRule(
    LIMITS.integrationName,
    PATTERNS.integrationName,
    'may contain only lowercase letters, digits and hyphens, and must start and end with a letter or digit',
  ),
  streamName: stringRule(
    LIMITS.streamName,
    PATTERNS.streamName,
    'may contain only letters, digits, underscores, periods and hyphens (Kinesis stream name rules)',
  ),
  roleName: stringRule(
    LIMITS.roleName,
    PATTERNS.iamName,
    'may contain only letters, digits and + = , . @ _ - (IAM name rules)',
  ),
  policyName: stringRule(
    LIMITS.policyName,
    PATTERNS.iamName,
    'may contain only letters, digits and + = , . @ _ - (IAM name rules)',
  ),
  accountId: stringRule(
    LIMITS.accountId,
    PATTERNS.accountId,
    'must be exactly 12 digits',
  ),
  region: stringRule(
    LIMITS.region,
    PATTERNS.region,
    'must be an AWS region code such as us-east-1 or eu-west-2',
  ),
  environment: stringRule(
    LIMITS.environment,
    PATTERNS.environment,
    'may contain only lowercase letters, digits and hyphens',
  ),
  owner: stringRule(
    LIMITS.entityRef,
    value => parseCatalogRef(value, OWNER_KINDS) !== undefined,
    'must be a catalog group or user reference such as group:default/security',
  ),
  system: stringRule(
    LIMITS.entityRef,
    value => parseCatalogRef(value, ['system']) !== undefined,
    'must be a catalog system reference such as system:default/network',
  ),
  shardCount: integerRule(LIMITS.shardCount),
  retentionHours: integerRule(LIMITS.retentionHours),
  externalId: stringRule(
    LIMITS.externalId,
    PATTERNS.externalId,
    'may contain only letters, digits and + = , . @ : / _ -',
  ),
  capacityMode: ((value, field) =>
    value === 'PROVISIONED' || value === 'ON_DEMAND'
      ? []
      : issue(field, 'must be PROVISIONED or ON_DEMAND')) as Check,
  encryption: ((value, field) =>
    value === 'NONE' ||
    value === 'KMS_AWS_MANAGED' ||
    value === 'KMS_CUSTOMER_KEY'
      ? []
      : issue(
          field,
          'must be NONE, KMS_AWS_MANAGED or KMS_CUSTOMER_KEY',
        )) as Check,
  kmsKeyArn: stringRule(
    LIMITS.kmsKeyArn,
    PATTERNS.kmsKeyArn,
    'must be a KMS key or alias ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ),
};

/**
 * What every step of an integration shares: where it lives and how it is
 * tagged.
 *
 * @public
 */
export interface IntegrationTarget {
  name: string;
  region: string;
  accountId?: string;
  owner: string;
  environment: string;
  system?: string;
  tags?: Record<string, string>;
}

/** @public */
export interface StreamSettings {
  capacityMode: CapacityMode;
  shardCount?: number;
  retentionHours: number;
  encryption: EncryptionMode;
  kmsKeyArn?: string;
}

function optional(
  value: unknown,
  field: string,
  check: Check,
): ValidationIssue[] {
  return value === undefined || value === null || value === ''
    ? []
    : check(value, field);
}

/** @public */
export function validateTarget(
  input: Partial<IntegrationTarget>,
  tagKeys: TagKeys = DEFAULT_TAG_KEYS,
): ValidationIssue[] {
  const tags = input.tags;
  let tagIssues: ValidationIssue[] = [];
  if (tags !== undefined && tags !== null) {
    tagIssues =
      typeof tags !== 'object' || Array.isArray(tags)
        ? issue('tags', 'must be an object of tag keys to values')
        : validateExtraTags(tags, tagKeys);
  }
  return [
    ...rules.integrationName(input.name, 'name'),
    ...rules.region(input.region, 'region'),
    ...optional(input.accountId, 'accountId', rules.accountId),
    ...rules.owner(input.owner, 'owner'),
    ...rules.environment(input.environment, 'environment'),
    ...optional(input.system, 'system', rules.system),
    ...tagIssues,
  ];
}

/**
 * Checks the stream settings. The shard count matters only in PROVISIONED
 * mode: on-demand streams scale themselves, so it is ignored there.
 *
 * @public
 */
export function validateStreamSettings(
  input: Partial<StreamSettings>,
  region?: string,
): ValidationIssue[] {
  const issues = [
    ...rules.capacityMode(input.capacityMode, 'capacityMode'),
    ...rules.retentionHours(input.retentionHours, 'retentionHours'),
    ...rules.encryption(input.encryption, 'encryption'),
  ];
  if (input.capacityMode === 'PROVISIONED') {
    issues.push(...rules.shardCount(input.shardCount, 'shardCount'));
  }
  if (input.encryption === 'KMS_CUSTOMER_KEY') {
    const arnIssues =
      input.kmsKeyArn === undefined || input.kmsKeyArn === ''
        ? issue('kmsKeyArn', 'is required when encryption is KMS_CUSTOMER_KEY')
        : rules.kmsKeyArn(input.kmsKeyArn, 'kmsKeyArn');
    issues.push(...arnIssues);
    const keyRegion = PATTERNS.kmsKeyArn.exec(input.kmsKeyArn ?? '')?.[1];
    if (!arnIssues.length && region && keyRegion && keyRegion !== region) {
      issues.push(
        ...issue(
          'kmsKeyArn',
          `must be a key in the stream's region ${region} (this key is in ${keyRegion})`,
        ),
      );
    }
  } else if (input.kmsKeyArn) {
    issues.push(
      ...issue('kmsKeyArn', 'is only used when encryption is KMS_CUSTOMER_KEY'),
    );
  }
  return issues;
}

const KIND_NAMES: Record<ResourceArnKind, string> = {
  stream: 'a Kinesis stream',
  role: 'an IAM role',
  policy: 'an IAM policy',
};

/**
 * Checks that an input is the ARN of the expected kind of resource and, where
 * given, in the expected region (streams) and account.
 *
 * @public
 */
export function validateResourceArn(
  value: unknown,
  field: string,
  kind: ResourceArnKind,
  where: { region?: string; accountId?: string } = {},
): ValidationIssue[] {
  const what = KIND_NAMES[kind];
  const arn = typeof value === 'string' ? tryParseArn(value) : undefined;
  if (!arn || resourceArnKind(arn) !== kind) {
    return issue(field, `must be the ARN of ${what}`);
  }
  if (where.region && kind === 'stream' && arn.region !== where.region) {
    return issue(field, `must be ${what} in region ${where.region}`);
  }
  if (where.accountId && arn.accountId !== where.accountId) {
    return issue(field, `must be ${what} in account ${where.accountId}`);
  }
  return [];
}
