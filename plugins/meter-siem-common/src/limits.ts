/**
 * The limits the rules enforce: AWS's own, the catalog's, and the product's
 * where its naming scheme needs tighter ones. The one source of these
 * numbers: the rules, the tag checks, the entity builder and the external ID
 * read them from here, and the templates' forms are checked against them.
 *
 * @public
 */
export const LIMITS = {
  /** `meter-siem-<name>` must still fit IAM's 64-character role names. */
  integrationName: { min: 1, max: 40 },
  streamName: { min: 1, max: 128 },
  roleName: { min: 1, max: 64 },
  policyName: { min: 1, max: 128 },
  /** Kinesis's default per-account shard quota is 500 in the largest regions. */
  shardCount: { min: 1, max: 500 },
  retentionHours: { min: 24, max: 8760 },
  environment: { min: 1, max: 32 },
  /** Meter asks for 64 characters or more; IAM takes up to 1224. */
  externalId: { min: 64, max: 1224 },
  accountId: { min: 12, max: 12 },
  region: { min: 9, max: 25 },
  kmsKeyArn: { min: 1, max: 2048 },
  /** An owner or system ref as typed in a form: `group:default/security`. */
  entityRef: { min: 1, max: 256 },
  /** A catalog entity name, and a catalog tag or label part. */
  entityName: { min: 1, max: 63 },
  /** Tags on one resource (Kinesis and IAM agree on these). */
  tagCount: { min: 0, max: 50 },
  tagKey: { min: 1, max: 128 },
  tagValue: { min: 0, max: 256 },
} as const;

/**
 * The shapes the rules enforce, beside the lengths of {@link LIMITS}.
 *
 * @public
 */
export const PATTERNS = {
  integrationName: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  streamName: /^[a-zA-Z0-9_.-]+$/,
  iamName: /^[\w+=,.@-]+$/,
  accountId: /^\d{12}$/,
  region: /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  environment: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  /** A KMS key or alias ARN; the first group is its region. */
  kmsKeyArn:
    /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(?:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|key\/mrk-[0-9a-f]{32}|alias\/[a-zA-Z0-9/_-]+)$/,
  externalId: /^[\w+=,.@:/-]+$/,
  /** An SNS topic ARN; the first group is its region. */
  snsTopicArn: /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/,
  /**
   * Characters AWS accepts in tag keys and values: letters, numbers, spaces
   * and `_ . : / = + - @`.
   */
  tagCharacters: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
} as const;
