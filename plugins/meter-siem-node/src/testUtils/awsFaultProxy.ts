/**
 * A fault-injecting HTTP proxy in front of moto, for tests of how our AWS
 * code behaves under what real AWS does and moto never does: throttling,
 * denials, 5xx answers, stalled and reset connections, answers lost after
 * the call took effect, and streams that take time to become ACTIVE.
 *
 * Calls are named as in IAM policies (`kinesis:CreateStream`,
 * `iam:CreateRole`, `sts:AssumeRole`), the way bench/countingProxy.ts names
 * them: the X-Amz-Target header for JSON protocols (Kinesis), the `Action`
 * form field and the service of the SigV4 credential scope for the query
 * protocol (IAM, STS).
 *
 * The error answers are those real AWS sends, in the call's protocol, so the
 * SDK surfaces the same error names and retries them the same way
 * (@smithy/core retry/service-error-classification):
 *
 * | fault          | Kinesis (awsJson1_1)                | IAM (awsQuery)                     | STS (awsQuery)                   |
 * | -------------- | ----------------------------------- | ---------------------------------- | -------------------------------- |
 * | `throttle`     | 400 `LimitExceededException`        | 400 `Throttling`                   | 400 `Throttling`                 |
 * | `denied`       | 400 `AccessDeniedException`         | 403 `AccessDenied`                 | 403 `AccessDenied`               |
 * | `server-error` | 500 `InternalFailure`               | 500 `ServiceFailure`               | 500 `InternalFailure`            |
 * | `unavailable`  | 503 `ServiceUnavailable`            | 503 `ServiceUnavailable`           | 503 `ServiceUnavailable`         |
 *
 * CloudWatch (awsJson1_0) answers like STS: `Throttling`, `AccessDenied`,
 * `InternalFailure`, `ServiceUnavailable`.
 *
 * - Throttling: `LimitExceededException` is what the Kinesis control plane
 *   answers (`ThrottlingException` is not in its model); IAM and STS answer
 *   `Throttling` "Rate exceeded". Both codes are in THROTTLING_ERROR_CODES,
 *   so the SDK retries them with throttling backoff.
 * - `AccessDeniedException` is modelled by Kinesis; the SDK retries it only
 *   after correcting clock skew (CLOCK_SKEW_ERROR_CODES), which the Date
 *   header of these answers never calls for. IAM/STS `AccessDenied` is not
 *   modelled: the SDK names the error `AccessDenied`. Neither is retried.
 * - 500: Kinesis and STS answer the common error `InternalFailure` (Kinesis's
 *   modelled `InternalFailureException` belongs to SubscribeToShard's event
 *   stream); IAM models `ServiceFailure`, which the SDK surfaces as
 *   `ServiceFailureException`.
 * - 503: every one of them answers the common error `ServiceUnavailable`
 *   (no service models a `ServiceUnavailableException`).
 * - The SDK retries 500 and 503 (TRANSIENT_ERROR_STATUS_CODES), and the
 *   connection errors that `reset` and `lost` cause (ECONNRESET).
 *
 * ## AWS at its limits (optional, for benchmarks and tests of what a user waits for)
 *
 * moto answers at once, makes every stream ACTIVE at once and never
 * throttles. Two options make the proxy behave like AWS instead:
 *
 * - `limits` (e.g. AWS_RATE_LIMITS, AWS's published control-plane rates):
 *   per-second rates per operation, enforced per account and region (IAM,
 *   a global service: per account) with a token bucket per operation,
 *   account and region that holds one second's calls (at least 1) and
 *   refills continuously. A call without a token gets the service's real
 *   throttling answer (the `throttle` row above) without reaching moto, and
 *   is recorded with `fault: 'throttle'` and `throttled: true` (an injected
 *   `throttle` rule has no `throttled`). `limitsReport()` counts calls and
 *   throttled calls per operation.
 * - `transitions` (e.g. AWS_TRANSITION_TIMES): after moto accepted a
 *   CreateStream the stream reads CREATING for `CREATING` ms, and after a
 *   change (UpdateShardCount, UpdateStreamMode, Start/StopStreamEncryption,
 *   Enable/DisableEnhancedMonitoring, Increase/DecreaseStreamRetentionPeriod)
 *   UPDATING for `UPDATING` ms, in DescribeStream, DescribeStreamSummary and
 *   ListStreams' StreamSummaries, per account, region and stream. Meanwhile
 *   those changes and Add/RemoveTagsFromStream are refused as AWS refuses
 *   them, without reaching moto: 400 ResourceInUseException "Stream <name>
 *   under account <account> not ACTIVE, instead in state CREATING", recorded
 *   with `refused: 'ResourceInUseException'`. A sixth stream CREATING at once
 *   in an account and region is refused with LimitExceededException, as the
 *   CreateStream reference says.
 *
 * Every call is recorded with `startedAt` (when its request began to
 * arrive) and `endedAt` (when its answer was sent or its connection
 * closed), both `Date.now()` milliseconds, so a benchmark can compute wall
 * time and overlap per call.
 */
import http from 'node:http';
import { ASSUMED_IAM_RATES, AWS_CONTROL_PLANE_RATES } from '../awsRates';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';

/** JSON protocol target prefixes that do not name their service. */
const JSON_TARGET_SERVICES: Record<string, string> = {
  GraniteServiceVersion20100801: 'cloudwatch',
};

export type AwsFault =
  /** The service's throttling error (see the table above). */
  | 'throttle'
  /** Access denied, with a message like AWS's. */
  | 'denied'
  /** HTTP 500. */
  | 'server-error'
  /** HTTP 503. */
  | 'unavailable'
  /** The request is read and never answered (until `close()`). */
  | 'stall'
  /** The request is read, then the connection is reset, with no answer. */
  | 'reset'
  /**
   * The request reaches moto and takes effect; moto's answer is read in
   * full, then the connection is reset without sending it.
   */
  | 'lost';

export interface FaultRule {
  /**
   * `service:Operation` as in IAM policies, e.g. `kinesis:CreateStream` or
   * `iam:CreateRole`; `service:*` for every call to a service; `*` for all.
   */
  operation: string;
  fault: AwsFault;
  /** How many matching calls the rule answers; every one when absent. */
  times?: number;
}

export interface AwsCall {
  /** `kinesis:CreateStream`, `iam:CreateRole`, … */
  operation: string;
  /**
   * The caller named in the SDK user agent (`backstage-meter-siem-…`), or
   * `other`.
   */
  caller: string;
  /** The fault the call met, if any. */
  fault?: AwsFault;
  /** The fault was the simulator's rate limit (`limits`), not a rule. */
  throttled?: true;
  /**
   * The simulator refused the call as AWS does while a stream is not ACTIVE
   * (`transitions`), without moto seeing it.
   */
  refused?: 'ResourceInUseException' | 'LimitExceededException';
  /** When the request began to arrive at the proxy (`Date.now()`, ms). */
  startedAt: number;
  /**
   * When the proxy had sent its answer, or the connection was closed
   * without one (`Date.now()`, ms); absent while the call is under way.
   */
  endedAt?: number;
}

/**
 * AWS's control-plane rates, calls per second per account and region (IAM:
 * per account), for the simulator's `limits`. Each figure's source is
 * beside it; the IAM ones are assumptions, AWS publishes none.
 *
 * Kinesis: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * "KDS Control Plane API Limits": "These limits apply per AWS account per
 * Region". That table marks some rates "Per Stream" (ListTagsForStream,
 * RemoveTagsFromStream, Enable/DisableEnhancedMonitoring,
 * Increase/DecreaseStreamRetentionPeriod, ListShards); the simulator keys
 * every rate by account and region only, which is stricter for calls that
 * spread over several streams (the ListTagsForStream API reference itself
 * says "five transactions per second per account"). For
 * StartStreamEncryption, StopStreamEncryption, UpdateShardCount and
 * UpdateStreamMode the table gives no rate, only per-stream caps over a
 * rolling 24 hours (25 key changes, 25 disables, 10 scalings, 2 mode
 * switches) that a per-second rate cannot model: they are given 5/s like
 * the other changes (an assumption), and the domain enforces the daily
 * caps itself (STREAM_UPDATE_LIMITS).
 */
const KINESIS_RATE_LIMITS: Record<string, number> = {
  'kinesis:ListShards': 1000, // "1000 TPS", per stream: approximated per account
  'kinesis:EnableEnhancedMonitoring': 5, // "5 TPS", per stream
  'kinesis:DisableEnhancedMonitoring': 5, // "5 TPS", per stream
  'kinesis:IncreaseStreamRetentionPeriod': 5, // "5 TPS", per stream
  'kinesis:DecreaseStreamRetentionPeriod': 5, // "5 TPS", per stream
  // No rate published (25 per rolling 24 h per stream): 5/s assumed.
  'kinesis:StartStreamEncryption': 5,
  // No rate published (25 per rolling 24 h per stream): 5/s assumed.
  'kinesis:StopStreamEncryption': 5,
  // No rate published (10 per rolling 24 h per stream, API_UpdateShardCount): 5/s assumed.
  'kinesis:UpdateShardCount': 5,
  // No rate published (2 mode switches per 24 h per stream): 5/s assumed.
  'kinesis:UpdateStreamMode': 5,
};

/**
 * CloudWatch: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
 * and https://docs.aws.amazon.com/general/latest/gr/cw_region.html: "Rate
 * of <Operation> requests", "Each supported Region: N per second", "in this
 * account in the current region".
 */
const CLOUDWATCH_RATE_LIMITS: Record<string, number> = {
  'cloudwatch:GetMetricStatistics': 400, // "400 per second"
  'cloudwatch:GetMetricData': 500, // "500 per second"
  'cloudwatch:PutMetricData': 500, // "500 per second"
  'cloudwatch:ListTagsForResource': 10, // "10 per second"
  'cloudwatch:TagResource': 20, // "20 per second"
  'cloudwatch:UntagResource': 20, // "20 per second"
};

/**
 * STS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 * ("STS request quotas"): "the default request quota is 600 requests per
 * second, per account, per Region", shared by AssumeRole,
 * DecodeAuthorizationMessage, GetAccessKeyInfo, GetCallerIdentity,
 * GetFederationToken and GetSessionToken. The simulator gives each
 * operation its own bucket, so it lets up to 600/s of each through.
 */
const STS_RATE_LIMITS: Record<string, number> = {
  'sts:AssumeRole': 600,
  'sts:GetCallerIdentity': 600,
};

/**
 * IAM publishes no per-operation rates. AWS says IAM throttles with "a
 * token bucket algorithm ... The number of tokens that a bucket holds and
 * the refill rate depends on the API" (AWS Security Blog, "How to monitor
 * and query IAM resources at scale - Part 2",
 * https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/)
 * and that these rates apply to the whole account and "can't be increased"
 * (https://repost.aws/knowledge-center/iam-sts-throttling-error), but gives
 * no numbers. The figures below are ASSUMPTIONS, not published numbers:
 * 10/s for reads and 5/s for writes, deliberately conservative. IAM is
 * global: the simulator keys these by account only.
 */
const IAM_RATE_LIMITS: Record<string, number> = {
  'iam:ListPolicyVersions': 10,
  'iam:ListRoleTags': 10,
  'iam:ListEntitiesForPolicy': 10,
  'iam:CreateRole': 5,
  'iam:DeleteRole': 5,
  'iam:CreatePolicy': 5,
  'iam:DeletePolicy': 5,
  'iam:CreatePolicyVersion': 5,
  'iam:DeletePolicyVersion': 5,
  'iam:AttachRolePolicy': 5,
  'iam:DetachRolePolicy': 5,
  'iam:PutRolePolicy': 5,
  'iam:DeleteRolePolicy': 5,
  'iam:TagRole': 5,
  'iam:UntagRole': 5,
  'iam:TagPolicy': 5,
  'iam:UntagPolicy': 5,
  'iam:UpdateAssumeRolePolicy': 5,
};

/**
 * AWS's control-plane rates per second, per account and region (IAM: per
 * account), by operation, for `limits`; sources above.
 */
export const AWS_RATE_LIMITS: Readonly<Record<string, number>> = {
  // The rates the plugins pace their own calls by (one home: awsRates.ts).
  ...ASSUMED_IAM_RATES,
  ...AWS_CONTROL_PLANE_RATES,
  // The others the simulator enforces.
  ...KINESIS_RATE_LIMITS,
  ...CLOUDWATCH_RATE_LIMITS,
  ...STS_RATE_LIMITS,
  ...IAM_RATE_LIMITS,
};

/**
 * How long a stream stays CREATING and UPDATING on AWS, in ms, for the
 * simulator's `transitions`. Typical values, not guarantees:
 *
 * - CREATING, 30 s. AWS documents no duration ("Upon receiving a
 *   CreateStream request, Kinesis Data Streams immediately returns and sets
 *   the stream status to CREATING", API_CreateStream). Bounds and reports:
 *   the SDK's StreamExists waiter polls every 10 s to 120 s
 *   (@aws-sdk/client-kinesis waitForStreamExists: minDelay 10, maxDelay
 *   120); Terraform's aws_kinesis_stream allows 5 minutes to create
 *   (https://github.com/hashicorp/terraform-provider-aws/blob/main/website/docs/r/kinesis_stream.html.markdown,
 *   "create - (Default 5 minutes)"); Terraform's acceptance tests that
 *   create a one-shard stream, wait for ACTIVE and then delete it, waiting
 *   again, took 54 s and 62 s (TestAccKinesisStream_disappears 54.17 s,
 *   TestAccKinesisStream_basic 62.08 s,
 *   https://github.com/hashicorp/terraform-provider-aws/pull/40499, Dec
 *   2024). About half of such a cycle, 30 s, is taken as typical: an
 *   estimate from those figures, not a measured create time.
 * - UPDATING, 5 s. "Updating or applying encryption normally takes a few
 *   seconds to complete, but it can take minutes"
 *   (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StartStreamEncryption.html);
 *   "Depending on the size of the stream, the scaling action could take a
 *   few minutes to complete"
 *   (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
 *   "A few seconds" is taken for every change; shard-count changes of large
 *   streams take longer.
 */
export const AWS_TRANSITION_TIMES = { CREATING: 30_000, UPDATING: 5_000 };

/** Calls that put a stream in a transition, and which. */
const TRANSITION_OF: Record<string, 'CREATING' | 'UPDATING'> = {
  'kinesis:CreateStream': 'CREATING',
  'kinesis:UpdateShardCount': 'UPDATING',
  'kinesis:UpdateStreamMode': 'UPDATING',
  'kinesis:StartStreamEncryption': 'UPDATING',
  'kinesis:StopStreamEncryption': 'UPDATING',
  'kinesis:EnableEnhancedMonitoring': 'UPDATING',
  'kinesis:DisableEnhancedMonitoring': 'UPDATING',
  'kinesis:IncreaseStreamRetentionPeriod': 'UPDATING',
  'kinesis:DecreaseStreamRetentionPeriod': 'UPDATING',
};

/** Calls AWS refuses with ResourceInUseException unless the stream is ACTIVE. */
const NEEDS_ACTIVE = new Set([
  ...Object.keys(TRANSITION_OF).filter(op => op !== 'kinesis:CreateStream'),
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
]);

/** AWS: "more than five streams in the CREATING state" is refused. */
const MAX_CREATING = 5;

export interface AwsFaultProxyOptions {
  /** moto's URL. */
  target: string;
  /**
   * Per-second rates by operation (`kinesis:ListTagsForStream`), enforced
   * per account and region (IAM: per account) with a token bucket of one
   * second's calls; a call over the rate gets the service's throttling
   * answer. `AWS_RATE_LIMITS` has AWS's.
   */
  limits?: Readonly<Record<string, number>>;
  /**
   * How long, in ms, a stream stays CREATING after CreateStream and UPDATING
   * after a change (`AWS_TRANSITION_TIMES` has typical figures). Meanwhile
   * Describe answers say so, and changes are refused with
   * ResourceInUseException, as on AWS; at most five streams may be
   * CREATING at once per account and region.
   */
  transitions?: { CREATING?: number; UPDATING?: number };
}

export interface AwsFaultProxy {
  /** Point `AWS_ENDPOINT_URL` (or a client's `endpoint`) here. */
  url: string;
  /**
   * Adds a rule. Rules are matched in the order they were added; a rule with
   * `times: N` answers the next N matching calls, then is spent.
   */
  inject(rule: FaultRule): void;
  /**
   * For `forMs` from now, Kinesis DescribeStream, DescribeStreamSummary and
   * ListStreams answers say `status` where moto says ACTIVE (moto makes
   * streams ACTIVE at once; AWS takes seconds to minutes), for one stream or
   * for all, in one account and region or in all. When several holds apply,
   * the last one added wins. A hold only changes what the answers say; to
   * also refuse changes meanwhile as AWS does, use `transitions`.
   */
  holdStreamStatus(options: {
    status: 'CREATING' | 'UPDATING';
    forMs: number;
    streamName?: string;
    /** The account (`x-moto-account-id`, else moto's default); all when absent. */
    account?: string;
    /** The region of the call's credential scope; all when absent. */
    region?: string;
  }): void;
  /**
   * Drops every rule and hold, the streams' transitions and the rate
   * limits' used tokens. Connections already stalled stay so until their
   * client gives up or `close()` is called.
   */
  clear(): void;
  /** Every call seen since the start or the last `resetCalls()`, in order. */
  calls(): AwsCall[];
  resetCalls(): void;
  /**
   * Per operation, in the order first seen: the calls since the start or
   * the last `resetCalls()`, and how many of them the simulated rate limits
   * (`limits`) throttled.
   */
  limitsReport(): Array<{
    operation: string;
    calls: number;
    throttled: number;
  }>;
  /** Stops the proxy and ends every connection, stalled ones included. */
  close(): Promise<void>;
}

type Protocol = 'json' | 'query';

interface CallInfo {
  operation: string;
  service: string;
  action: string;
  protocol: Protocol;
  region: string;
  account: string;
  /** The request's parameters, top level only. */
  params: Record<string, unknown>;
}

/** The account moto serves when no `x-moto-account-id` header names one. */
const DEFAULT_ACCOUNT = '123456789012';

function describeCall(
  headers: http.IncomingHttpHeaders,
  body: string,
): CallInfo {
  const auth = String(headers.authorization ?? '');
  // Credential=AKID/20260101/us-east-1/iam/aws4_request
  const scope = /Credential=[^/]+\/[^/]+\/([^/]+)\/([^/]+)\//.exec(auth);
  const region = scope?.[1] ?? 'us-east-1';
  const accountHeader = headers['x-moto-account-id'];
  const account =
    typeof accountHeader === 'string' ? accountHeader : DEFAULT_ACCOUNT;
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    // JSON protocols: "Kinesis_20131202.CreateStream",
    // "GraniteServiceVersion20100801.PutMetricAlarm" (CloudWatch)
    const [prefix, action = 'unknown'] = target.split('.');
    const service =
      JSON_TARGET_SERVICES[prefix] ?? prefix.split('_')[0].toLowerCase();
    let params: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed === 'object') params = parsed;
    } catch {
      // not JSON: no parameters
    }
    return {
      operation: `${service}:${action}`,
      service,
      action,
      protocol: 'json',
      region,
      account,
      params,
    };
  }
  const form = new URLSearchParams(body);
  const action = form.get('Action') ?? 'unknown';
  const service = scope?.[2] ?? 'unknown';
  return {
    operation: `${service}:${action}`,
    service,
    action,
    protocol: 'query',
    region,
    account,
    params: Object.fromEntries(form.entries()),
  };
}

function callerOf(headers: http.IncomingHttpHeaders): string {
  const agent = `${headers['x-amz-user-agent'] ?? ''} ${
    headers['user-agent'] ?? ''
  }`;
  return /backstage-meter-siem-[a-z]+/.exec(agent)?.[0] ?? 'other';
}

function matches(rule: FaultRule, operation: string): boolean {
  if (rule.operation === '*' || rule.operation === operation) return true;
  return (
    rule.operation.endsWith(':*') &&
    operation.startsWith(rule.operation.slice(0, -1))
  );
}

const text = (value: unknown) =>
  typeof value === 'string' && value ? value : undefined;

/** The ARN AWS names in an AccessDenied message, when the call has one. */
function resourceOf(call: CallInfo): string | undefined {
  const { params, region, account } = call;
  if (call.service === 'kinesis') {
    const name = text(params.StreamName);
    return (
      text(params.StreamARN) ??
      text(params.ResourceARN) ??
      (name ? `arn:aws:kinesis:${region}:${account}:stream/${name}` : undefined)
    );
  }
  if (call.service === 'iam') {
    const role = text(params.RoleName);
    if (role) return `arn:aws:iam::${account}:role/${role}`;
    const policyArn = text(params.PolicyArn);
    if (policyArn) return policyArn;
    const policy = text(params.PolicyName);
    if (policy) return `arn:aws:iam::${account}:policy/${policy}`;
    const user = text(params.UserName);
    if (user) return `arn:aws:iam::${account}:user/${user}`;
    return undefined;
  }
  return text(params.RoleArn);
}

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/** What AWS answers for a fault, per service (see the table at the top). */
function errorAnswer(
  fault: 'throttle' | 'denied' | 'server-error' | 'unavailable',
  call: CallInfo,
): ErrorAnswer {
  const json = call.protocol === 'json';
  switch (fault) {
    case 'throttle': {
      if (!json || call.service === 'cloudwatch')
        return { status: 400, code: 'Throttling', message: 'Rate exceeded' };
      const stream = text(call.params.StreamName);
      return {
        status: 400,
        code: 'LimitExceededException',
        message: stream
          ? `Rate exceeded for stream ${stream} under account ${call.account}.`
          : `Rate exceeded for account ${call.account}.`,
      };
    }
    case 'denied': {
      const resource = resourceOf(call);
      // Kinesis models AccessDeniedException; CloudWatch, like IAM and
      // STS, answers the common AccessDenied.
      const kinesis = call.service === 'kinesis';
      return {
        status: kinesis ? 400 : 403,
        code: kinesis ? 'AccessDeniedException' : 'AccessDenied',
        message: `User: arn:aws:iam::${
          call.account
        }:user/test is not authorized to perform: ${call.operation}${
          resource ? ` on resource: ${resource}` : ''
        } because no identity-based policy allows the ${call.operation} action`,
      };
    }
    case 'server-error':
      if (call.service === 'iam') {
        return {
          status: 500,
          code: 'ServiceFailure',
          message:
            'The request processing has failed because of an unknown error, exception or failure.',
        };
      }
      return {
        status: 500,
        code: 'InternalFailure',
        message: json
          ? 'Internal service failure.'
          : 'The request processing has failed because of an unknown error, exception or failure.',
      };
    default:
      return {
        status: 503,
        code: 'ServiceUnavailable',
        message:
          'The request has failed due to a temporary failure of the server.',
      };
  }
}

const QUERY_NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

const escapeXml = (value: string) =>
  value.replace(
    /[<>&"']/g,
    c =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[
        c
      ]!),
  );

function sendError(
  res: http.ServerResponse,
  answer: ErrorAnswer,
  call: CallInfo,
) {
  const requestId = randomUUID();
  if (call.protocol === 'json') {
    const body = JSON.stringify({
      __type: answer.code,
      message: answer.message,
    });
    res.writeHead(answer.status, {
      'x-amzn-RequestId': requestId,
      'x-amz-id-2': randomBytes(48).toString('base64'),
      'Content-Type':
        call.service === 'cloudwatch'
          ? 'application/x-amz-json-1.0'
          : 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  const namespace = QUERY_NAMESPACES[call.service] ?? QUERY_NAMESPACES.iam;
  const body =
    `<ErrorResponse xmlns="${namespace}">\n` +
    `  <Error>\n` +
    `    <Type>${answer.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${answer.code}</Code>\n` +
    `    <Message>${escapeXml(answer.message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`;
  res.writeHead(answer.status, {
    'x-amzn-RequestId': requestId,
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

interface Hold {
  status: 'CREATING' | 'UPDATING';
  until: number;
  streamName?: string;
  account?: string;
  region?: string;
}

/** Answers whose stream statuses holds and transitions rewrite. */
const SAYS_STATUS = new Set([
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:ListStreams',
]);

/** The stream a Kinesis call names, by name or ARN. */
function streamNameOf(body: Buffer): string | undefined {
  try {
    const input = JSON.parse(body.toString('utf8'));
    return (
      input.StreamName ??
      (typeof input.StreamARN === 'string'
        ? input.StreamARN.split('/').pop()
        : undefined)
    );
  } catch {
    return undefined;
  }
}

/**
 * Starts a proxy on a free local port that forwards to `target` (moto) every
 * call no rule matches, unchanged.
 */
export async function startAwsFaultProxy(
  options: AwsFaultProxyOptions,
): Promise<AwsFaultProxy> {
  const target = new URL(options.target);
  const limits = options.limits ?? {};
  const transitions = options.transitions;
  /** Token buckets of the rate limits, by operation, account and region. */
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Streams in a transition, by account, region and name. */
  const transitioning = new Map<
    string,
    { status: 'CREATING' | 'UPDATING'; until: number }
  >();
  const streamKey = (call: CallInfo, name: unknown) =>
    `${call.account}/${call.region}/${String(name)}`;
  const transitionOf = (key: string) => {
    const state = transitioning.get(key);
    if (state && state.until <= Date.now()) {
      transitioning.delete(key);
      return undefined;
    }
    return state?.status;
  };
  /** Whether a call gets a token; refills by the elapsed time. */
  const take = (call: CallInfo): boolean => {
    const rate = limits[call.operation];
    if (rate === undefined) return true;
    const key = `${call.operation}/${call.account}/${
      call.service === 'iam' ? '' : call.region
    }`;
    const now = Date.now();
    const capacity = Math.max(1, rate);
    const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * rate,
    );
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  /** Why AWS would refuse this call in the streams' current states, if so. */
  const refusal = (
    call: CallInfo,
    body: Buffer,
  ):
    | {
        code: 'ResourceInUseException' | 'LimitExceededException';
        message: string;
      }
    | undefined => {
    if (!transitions || call.service !== 'kinesis') return undefined;
    const name = streamNameOf(body);
    if (call.operation === 'kinesis:CreateStream') {
      const prefix = `${call.account}/${call.region}/`;
      const creating = [...transitioning.keys()].filter(
        key => key.startsWith(prefix) && transitionOf(key) === 'CREATING',
      ).length;
      return creating >= MAX_CREATING
        ? {
            code: 'LimitExceededException',
            message: `This request would exceed the limit of ${MAX_CREATING} streams in CREATING state for account ${call.account}.`,
          }
        : undefined;
    }
    if (!NEEDS_ACTIVE.has(call.operation) || !name) return undefined;
    const status = transitionOf(streamKey(call, name));
    return status
      ? {
          code: 'ResourceInUseException',
          message: `Stream ${name} under account ${call.account} not ACTIVE, instead in state ${status}`,
        }
      : undefined;
  };
  /** After a successful call, the transition it starts on AWS, if any. */
  const startTransition = (call: CallInfo, body: Buffer) => {
    if (call.operation === 'kinesis:DeleteStream') {
      const name = streamNameOf(body);
      if (name) transitioning.delete(streamKey(call, name));
      return;
    }
    const status = TRANSITION_OF[call.operation];
    const forMs = status && transitions?.[status];
    const name = streamNameOf(body);
    if (!status || !forMs || !name) return;
    transitioning.set(streamKey(call, name), {
      status,
      until: Date.now() + forMs,
    });
  };
  const agent = new http.Agent({ keepAlive: true });
  let rules: Array<{ rule: FaultRule; left: number }> = [];
  let holds: Hold[] = [];
  let calls: AwsCall[] = [];
  const stalled = new Set<Socket>();

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    onAnswer: (answer: http.IncomingMessage) => void,
    onError: (error: Error) => void,
  ) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      onAnswer,
    );
    upstream.on('error', onError);
    upstream.end(body);
  };

  /**
   * AWS applies CreateStream's `Tags` with the stream, atomically; moto
   * drops them. After moto made the stream, the proxy tags it as AWS would
   * have, so that a test sees what AWS would show.
   */
  const tagOnCreate = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<void>(resolve => {
      let input: { StreamName?: string; Tags?: Record<string, string> };
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch {
        resolve();
        return;
      }
      if (!input.Tags || Object.keys(input.Tags).length === 0) {
        resolve();
        return;
      }
      const tags = Buffer.from(
        JSON.stringify({ StreamName: input.StreamName, Tags: input.Tags }),
      );
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: req.url,
          headers: {
            ...req.headers,
            'x-amz-target': 'Kinesis_20131202.AddTagsToStream',
            'content-length': String(tags.length),
          },
          agent,
        },
        answer => {
          answer.resume();
          answer.on('end', () => resolve());
        },
      );
      upstream.on('error', () => resolve());
      upstream.end(tags);
    });

  /** Forwards a call, and for CreateStream also applies its tags. */
  /**
   * Streams being created: until their tags are on, other Kinesis calls
   * about them wait, so that the create looks atomic as it is on AWS.
   */
  const creating = new Map<string, Promise<void>>();

  /** Forwards a call, and for CreateStream also applies its tags. */
  const forwardAsAws = (
    req: http.IncomingMessage,
    body: Buffer,
    operation: string,
    onAnswer: (answer: http.IncomingMessage) => void,
    onError: (error: Error) => void,
  ) => {
    const stream = operation.startsWith('kinesis:')
      ? streamNameOf(body)
      : undefined;
    if (operation !== 'kinesis:CreateStream') {
      const pending = stream ? creating.get(stream) : undefined;
      (pending ?? Promise.resolve()).then(() =>
        forward(req, body, onAnswer, onError),
      );
      return;
    }
    let done: (() => void) | undefined;
    const mine = new Promise<void>(resolve => (done = resolve));
    if (stream && !creating.has(stream)) creating.set(stream, mine);
    const finish = () => {
      if (stream && creating.get(stream) === mine) creating.delete(stream);
      done?.();
    };
    forward(
      req,
      body,
      answer => {
        if (answer.statusCode !== 200) {
          finish();
          onAnswer(answer);
          return;
        }
        answer.pause();
        tagOnCreate(req, body).then(() => {
          finish();
          onAnswer(answer);
          answer.resume();
        });
      },
      error => {
        finish();
        onError(error);
      },
    );
  };

  /** The status a hold puts in place of ACTIVE for this stream, if any. */
  const heldStatus = (call: CallInfo, streamName: unknown) => {
    const now = Date.now();
    holds = holds.filter(h => h.until > now);
    return holds.findLast(
      h =>
        (h.streamName === undefined || h.streamName === streamName) &&
        (h.account === undefined || h.account === call.account) &&
        (h.region === undefined || h.region === call.region),
    )?.status;
  };

  /** The status a hold or transition puts in place of ACTIVE, if any. */
  const statusInstead = (call: CallInfo, streamName: unknown) =>
    heldStatus(call, streamName) ?? transitionOf(streamKey(call, streamName));

  /**
   * Answers a DescribeStream(Summary) or ListStreams with the held or
   * transitional statuses, where one applies.
   */
  const rewriteStatus = (
    answer: http.IncomingMessage,
    res: http.ServerResponse,
    call: CallInfo,
  ) => {
    const chunks: Buffer[] = [];
    answer.on('data', c => chunks.push(c));
    answer.on('end', () => {
      let data = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(data.toString('utf8'));
        const described =
          parsed?.StreamDescriptionSummary ?? parsed?.StreamDescription;
        type Stream = { StreamName?: unknown; StreamStatus?: unknown };
        const listed: Stream[] = Array.isArray(parsed?.StreamSummaries)
          ? parsed.StreamSummaries
          : [];
        const streams: Stream[] = described ? [described] : listed;
        let changed = false;
        for (const stream of streams) {
          if (stream?.StreamStatus !== 'ACTIVE') continue;
          const status = statusInstead(call, stream.StreamName);
          if (status) {
            stream.StreamStatus = status;
            changed = true;
          }
        }
        if (changed) data = Buffer.from(JSON.stringify(parsed));
      } catch {
        // not JSON (an error page?): passed through as it is
      }
      const headers = { ...answer.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      res.writeHead(answer.statusCode ?? 502, {
        ...headers,
        'content-length': String(data.length),
      });
      res.end(data);
    });
  };

  const server = http.createServer((req, res) => {
    const startedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = describeCall(req.headers, body.toString('utf8'));
      const record: AwsCall = {
        operation: call.operation,
        caller: callerOf(req.headers),
        startedAt,
      };
      calls.push(record);
      res.once('close', () => {
        record.endedAt = Date.now();
      });
      if (!take(call)) {
        record.fault = 'throttle';
        record.throttled = true;
        sendError(res, errorAnswer('throttle', call), call);
        return;
      }
      const refused = refusal(call, body);
      if (refused) {
        record.refused = refused.code;
        sendError(res, { status: 400, ...refused }, call);
        return;
      }
      const entry = rules.find(r => matches(r.rule, call.operation));
      const fault = entry?.rule.fault;
      if (entry) {
        entry.left -= 1;
        if (entry.left <= 0) rules = rules.filter(r => r !== entry);
      }
      if (fault) record.fault = fault;

      const socket = req.socket;
      switch (fault) {
        case undefined:
          forwardAsAws(
            req,
            body,
            call.operation,
            answer => {
              if (answer.statusCode === 200) startTransition(call, body);
              if (
                SAYS_STATUS.has(call.operation) &&
                (holds.length > 0 || transitioning.size > 0)
              ) {
                rewriteStatus(answer, res, call);
                return;
              }
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
            error => {
              if (res.headersSent) {
                res.destroy();
                return;
              }
              res.writeHead(502, { 'content-type': 'text/plain' });
              res.end(`awsFaultProxy: moto did not answer: ${error}`);
            },
          );
          return;
        case 'stall':
          stalled.add(socket);
          socket.once('close', () => stalled.delete(socket));
          return;
        case 'reset':
          socket.resetAndDestroy();
          return;
        case 'lost':
          forwardAsAws(
            req,
            body,
            call.operation,
            answer => {
              if (answer.statusCode === 200) startTransition(call, body);
              answer.resume();
              answer.on('end', () => socket.resetAndDestroy());
            },
            () => socket.resetAndDestroy(),
          );
          return;
        default:
          sendError(res, errorAnswer(fault, call), call);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    inject(rule) {
      const left = rule.times ?? Number.POSITIVE_INFINITY;
      if (!(left >= 1)) {
        throw new Error(`times must be at least 1, got ${rule.times}`);
      }
      rules.push({ rule: { ...rule }, left });
    },
    holdStreamStatus({ status, forMs, streamName, account, region }) {
      holds.push({
        status,
        until: Date.now() + forMs,
        streamName,
        account,
        region,
      });
    },
    clear() {
      rules = [];
      holds = [];
      transitioning.clear();
      buckets.clear();
    },
    calls: () => calls.map(c => ({ ...c })),
    resetCalls() {
      calls = [];
    },
    limitsReport() {
      const report = new Map<
        string,
        { operation: string; calls: number; throttled: number }
      >();
      for (const { operation, throttled } of calls) {
        const entry = report.get(operation) ?? {
          operation,
          calls: 0,
          throttled: 0,
        };
        entry.calls += 1;
        if (throttled) entry.throttled += 1;
        report.set(operation, entry);
      }
      return [...report.values()];
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of stalled) socket.destroy();
        stalled.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
