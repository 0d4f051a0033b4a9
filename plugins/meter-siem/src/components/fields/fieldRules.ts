import {
  DELIVERY_LOOKBACK_MINUTES,
  LIMITS,
  PATTERNS,
  rules,
} from '@internal/backstage-plugin-meter-siem-common';

/**
 * A rule of a form field, in the words the form shows: each message names
 * the rule (never a regular expression) and reads after the field's title,
 * as the scaffolder's error list puts it: "'Name' must be …".
 *
 * The templates state the same messages in their `errorMessage` keywords,
 * which the form's JSON schema validation shows first (the scaffolder runs a
 * field's own validation only once the schema accepts the page); the
 * template tests check both against these numbers.
 */
export interface FieldRule {
  message: string;
  accepts(value: unknown): boolean;
}

const range = (limits: { min: number; max: number }) =>
  `${limits.min}–${limits.max}`;

const isString = (value: unknown): value is string => typeof value === 'string';

const inRange =
  (limits: { min: number; max: number }) =>
  (value: unknown): boolean =>
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= limits.min &&
    value <= limits.max;

/** The rules a template can name in `ui:options.rule` of `MeterSiemField`. */
export const FIELD_RULES = {
  integrationName: {
    message: `must be ${range(
      LIMITS.integrationName,
    )} lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
    accepts: value =>
      isString(value) && rules.integrationName(value, 'name').length === 0,
  },
  accountId: {
    message: `must be exactly ${LIMITS.accountId.max} digits, or empty for the main account`,
    accepts: value => isString(value) && PATTERNS.accountId.test(value),
  },
  shardCount: {
    message: `must be a whole number of shards from ${LIMITS.shardCount.min} to ${LIMITS.shardCount.max}`,
    accepts: inRange(LIMITS.shardCount),
  },
  retentionHours: {
    message: `must be a whole number of hours from ${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max}`,
    accepts: inRange(LIMITS.retentionHours),
  },
  kmsKeyArn: {
    message:
      'must be the ARN of a KMS key, not an alias, such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    accepts: value =>
      isString(value) &&
      rules.kmsKeyArn(value, 'kmsKeyArn').length === 0 &&
      !value.includes(':alias/'),
  },
  snsTopicArn: {
    message:
      'must be the ARN of an SNS topic such as arn:aws:sns:us-east-1:123456789012:siem-alerts, or empty',
    accepts: value => isString(value) && PATTERNS.snsTopicArn.test(value),
  },
  sinceMinutes: {
    message: `must be a whole number of minutes from ${DELIVERY_LOOKBACK_MINUTES.min} to ${DELIVERY_LOOKBACK_MINUTES.max}`,
    accepts: inRange(DELIVERY_LOOKBACK_MINUTES),
  },
  confirm: {
    message:
      "must be the integration's name as given at creation, e.g. hq-network",
    accepts: value => isString(value) && value.trim().length > 0,
  },
} satisfies Record<string, FieldRule>;

/** @public */
export type FieldRuleName = keyof typeof FIELD_RULES;

/**
 * The message for `value` under `rule`, or undefined when the value passes.
 * An empty value passes unless the field is required: whether a value is
 * needed at all is the schema's `required`, not the rule's.
 */
export function fieldRuleMessage(
  rule: string | undefined,
  value: unknown,
  required = false,
): string | undefined {
  const found: FieldRule | undefined =
    rule && Object.prototype.hasOwnProperty.call(FIELD_RULES, rule)
      ? FIELD_RULES[rule as FieldRuleName]
      : undefined;
  if (!found) return undefined;
  if ((value === undefined || value === '') && !required) return undefined;
  return found.accepts(value) ? undefined : found.message;
}
