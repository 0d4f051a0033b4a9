import { redact } from '@internal/backstage-plugin-meter-siem-common';

/** What was being done when AWS answered with an error. */
export interface AwsCallContext {
  /** IAM-style permission of the call, e.g. `kinesis:CreateStream`. */
  permission: string;
  /** The resource the call was about, for the message. */
  resource: string;
  accountId?: string;
  region?: string;
  /** Values that must never appear in a message (the external ID). */
  secrets?: string[];
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'KMSAccessDeniedException',
]);

const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
]);

/**
 * Turns an AWS SDK error into a message a platform engineer can act on.
 * The SDK has already retried throttling with backoff by the time an error
 * gets here, so throttling is reported as sustained.
 */
export function explainAwsError(
  error: unknown,
  context: AwsCallContext,
): Error {
  const name = (error as { name?: string })?.name ?? 'Error';
  const detail = (error as { message?: string })?.message ?? String(error);
  const where = [
    context.accountId && `account ${context.accountId}`,
    context.region && `region ${context.region}`,
  ]
    .filter(Boolean)
    .join(', ');
  const at = where ? ` (${where})` : '';
  const [service] = context.permission.split(':');

  const attempts = (error as { $metadata?: { attempts?: number } })?.$metadata
    ?.attempts;
  const tries = attempts && attempts > 1 ? ` (${attempts} attempts)` : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;
  const code = (error as { code?: string })?.code;

  let message: string;
  if (isAborted(error)) {
    message = `${context.permission} on ${context.resource}${at} was stopped because the run was cancelled (or ran out of time). Whatever AWS had done before stays; run the template again to complete it.`;
  } else if (
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    name === 'RequestTimeoutException' ||
    code === 'ETIMEDOUT'
  ) {
    message = `AWS did not answer ${context.permission} on ${context.resource}${at} in time${tries}. Check that Backstage reaches the AWS endpoints (network, proxy; meterSiem.awsClient sets the timeouts), then run the template again: it continues where this run stopped. AWS said: ${detail}`;
  } else if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ECONNREFUSED' ||
    // The SDK may wrap the socket error, keeping only its message.
    /socket hang up|ECONNRESET|EPIPE|ECONNREFUSED/.test(detail)
  ) {
    message = `The connection to AWS broke during ${context.permission} on ${context.resource}${at}${tries}. Check the network between Backstage and AWS, then run the template again: it continues where this run stopped. Error: ${detail}`;
  } else if (status !== undefined && status >= 500) {
    message = `AWS failed on its side (HTTP ${status}, ${name}) during ${context.permission} on ${context.resource}${at}${tries}. Wait a few minutes (see health.aws.amazon.com) and run the template again: it continues where this run stopped. AWS said: ${detail}`;
  } else if (ACCESS_DENIED.has(name)) {
    message = `AWS denied ${context.permission} on ${context.resource}${at}. Grant the credentials Backstage uses for this account the permission "${context.permission}" (see the README's IAM policy for the scaffolder), then run the template again. AWS said: ${detail}`;
  } else if (BAD_CREDENTIALS.has(name)) {
    message = `AWS did not accept Backstage's credentials for ${context.permission}${at}. Check the aws.mainAccount / aws.accounts configuration (or the environment's AWS credentials). AWS said: ${detail}`;
  } else if (
    THROTTLED.has(name) ||
    // Kinesis's control plane answers throttling with LimitExceededException
    // "Rate exceeded for stream …", its shard quota with other words.
    (name === 'LimitExceededException' && /rate exceeded/i.test(detail))
  ) {
    message = `AWS kept throttling ${context.permission}${at} after several retries with backoff. Wait a minute and run the template again. AWS said: ${detail}`;
  } else if (name === 'LimitExceededException' && service === 'kinesis') {
    message = `Kinesis refused ${context.permission} on ${context.resource}${at} because an account limit was reached: either the account's shard quota (ask AWS for a quota increase, use fewer shards or ON_DEMAND) or too many stream operations at once (wait and run again). AWS said: ${detail}`;
  } else if (name === 'LimitExceeded' || name === 'LimitExceededException') {
    message = `IAM refused ${context.permission} on ${context.resource}${at} because an account quota (roles, policies or attachments) was reached. Remove unused ones or ask AWS for a quota increase. AWS said: ${detail}`;
  } else if (name.startsWith('KMS')) {
    message = `The KMS key cannot be used to encrypt ${context.resource}${at} (${name}). Check that the key exists in the stream's region, is enabled, and that its key policy lets Kinesis and these credentials use it. AWS said: ${detail}`;
  } else if (
    name === 'MalformedPolicyDocument' ||
    name === 'MalformedPolicyDocumentException'
  ) {
    message = `IAM rejected the policy document for ${context.resource}${at}. AWS said: ${detail}`;
  } else {
    message = `${context.permission} on ${context.resource}${at} failed with ${name}: ${detail}`;
  }
  const explained = new Error(redact(message, context.secrets ?? []));
  explained.name = 'AwsError';
  return explained;
}

/** True when the call was aborted by its signal (a cancelled task). */
export function isAborted(error: unknown): boolean {
  return (error as { name?: string })?.name === 'AbortError';
}

const ALREADY_EXISTS = new Set([
  'ResourceInUseException',
  'EntityAlreadyExists',
  'EntityAlreadyExistsException',
]);

/** True when the error is AWS saying a resource of that name exists. */
export function isAlreadyExists(error: unknown): boolean {
  return ALREADY_EXISTS.has((error as { name?: string })?.name ?? '');
}

/**
 * How a Create* call ended when AWS answered that the resource exists:
 * - `retried`: the SDK had sent the call more than once (after a timeout, a
 *   reset or a 5xx), so an earlier attempt may have made the resource and
 *   its answer was lost: the caller reads it and adopts it when it is ours;
 * - `raced`: the first attempt was refused, so someone else made it after
 *   the caller looked and before it created (another run for the same name).
 */
export function alreadyExistsCause(error: unknown): 'retried' | 'raced' {
  const attempts =
    (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
  return attempts > 1 ? 'retried' : 'raced';
}

/** True when the error is AWS saying the resource does not exist. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    name === 'ResourceNotFoundException' ||
    name === 'NoSuchEntity' ||
    name === 'NoSuchEntityException'
  );
}
