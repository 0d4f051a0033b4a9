/**
 * AWS's published control-plane rates, in calls per second per account and
 * region, for the operations the Meter SIEM plugins call. AWS answers calls
 * beyond them with its throttling error (Kinesis `LimitExceededException`,
 * CloudWatch and IAM `Throttling`), and every tool of the account shares
 * them: a caller that wants never to meet throttling on its own paces itself
 * below them (see `AwsRateLimiter`).
 *
 * Sources (the figure is quoted on each page):
 * - Kinesis: {@link AWS_RATE_SOURCES.kinesis} ("KDS Control Plane API
 *   Limits", per account per region), and each operation's page of the
 *   Kinesis API reference ("This operation has a limit of five transactions
 *   per second per account").
 * - CloudWatch: {@link AWS_RATE_SOURCES.cloudwatch} (DescribeAlarms 9 TPS;
 *   DescribeAlarmsForMetric, DeleteAlarms and the other alarm calls 3 TPS;
 *   PutMetricAlarm 3 TPS).
 *
 * IAM publishes no per-operation rates (only that it throttles); see
 * {@link ASSUMED_IAM_RATES}.
 *
 * @public
 */
export const AWS_CONTROL_PLANE_RATES: Readonly<Record<string, number>> = {
  'kinesis:AddTagsToStream': 5,
  'kinesis:CreateStream': 5,
  'kinesis:DeleteStream': 5,
  'kinesis:DescribeLimits': 1,
  'kinesis:DescribeStream': 10,
  'kinesis:DescribeStreamSummary': 20,
  'kinesis:ListStreams': 5,
  'kinesis:ListTagsForStream': 5,
  'kinesis:MergeShards': 5,
  'kinesis:RemoveTagsFromStream': 5,
  'kinesis:SplitShard': 5,
  'cloudwatch:DescribeAlarms': 9,
  'cloudwatch:DescribeAlarmsForMetric': 3,
  'cloudwatch:DeleteAlarms': 3,
  'cloudwatch:PutMetricAlarm': 3,
};

/**
 * Where each service publishes its rates.
 *
 * @public
 */
export const AWS_RATE_SOURCES = {
  kinesis:
    'https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html',
  cloudwatch:
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html',
  iam: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
} as const;

/**
 * IAM's read calls, paced per account (IAM is global) at rates AWS does not
 * publish: assumptions, conservative against what is commonly observed, so
 * that a sync's IAM pages never come in bursts. Not AWS's numbers.
 *
 * @public
 */
export const ASSUMED_IAM_RATES: Readonly<Record<string, number>> = {
  'iam:GetAccountAuthorizationDetails': 10,
  'iam:ListRoles': 10,
  'iam:GetRole': 10,
  'iam:GetPolicy': 10,
  'iam:GetPolicyVersion': 10,
  'iam:GetRolePolicy': 10,
  'iam:ListPolicyTags': 10,
  'iam:ListAttachedRolePolicies': 10,
  'iam:ListRolePolicies': 10,
};

/**
 * The share of the published rates a caller uses by default: the rest is
 * left to the account's other tools (the console, IaC, other plugins), whose
 * throttling the SDK's adaptive retry absorbs.
 *
 * @public
 */
export const DEFAULT_RATE_FRACTION = 0.8;

/**
 * Whether an operation's rate applies per account and region, or per
 * account (IAM and STS's global endpoint).
 *
 * @public
 */
export function rateScopeOf(operation: string): 'region' | 'account' {
  return operation.startsWith('iam:') ? 'account' : 'region';
}
