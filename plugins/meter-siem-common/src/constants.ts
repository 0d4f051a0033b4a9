/**
 * Meter's service role, which assumes the customer's role to write events.
 * Configurable (`meterSiem.meterPrincipal`), this is the documented default.
 *
 * @public
 */
export const DEFAULT_METER_PRINCIPAL_ARN =
  'arn:aws:iam::458553032353:role/Meter-data-export';

/**
 * The only Kinesis actions Meter needs: it writes events and never reads.
 *
 * @public
 */
export const METER_WRITE_ACTIONS = [
  'kinesis:PutRecord',
  'kinesis:PutRecords',
] as const;

/**
 * The shard-level metrics the console guide recommends enabling.
 *
 * @public
 */
export const ENHANCED_METRICS = ['IncomingBytes', 'IncomingRecords'] as const;

/**
 * The AWS-managed KMS key Kinesis uses for `KMS_AWS_MANAGED` encryption.
 *
 * @public
 */
export const AWS_MANAGED_KINESIS_KEY = 'alias/aws/kinesis';

/**
 * The `metadata.name` of each of the product's templates: contracts (see the
 * README) that the UI links to and the audit's remedies name.
 *
 * @public
 */
export const TEMPLATE_NAMES = {
  create: 'meter-siem-integration',
  fixOwnershipTags: 'meter-siem-fix-ownership-tags',
  verifyDelivery: 'meter-siem-verify-delivery',
  alarm: 'meter-siem-alarm',
  update: 'meter-siem-update',
  rotateExternalId: 'meter-siem-rotate-external-id',
  decommission: 'meter-siem-decommission',
} as const;
