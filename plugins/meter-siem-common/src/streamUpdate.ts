import { AWS_MANAGED_KINESIS_KEY } from './constants';
import {
  KMS_PRODUCER_ACTION,
  PolicyDocument,
  buildPermissionsPolicy,
  samePolicy,
  validatePolicyKmsKey,
} from './policies';
import {
  CapacityMode,
  EncryptionMode,
  ValidationIssue,
  rules,
} from './validation';

/**
 * AWS's own limits on changing a stream (Kinesis API reference):
 * UpdateShardCount may at most double or halve the open shards per call,
 * and be called 10 times per stream in a rolling 24 hours; UpdateStreamMode
 * twice per stream in a rolling 24 hours (AWS refuses a third switch with
 * LimitExceededException, which no plan can foresee: earlier runs count).
 *
 * @public
 */
export const STREAM_UPDATE_LIMITS = {
  shardCountCallsPerDay: 10,
  modeSwitchesPerDay: 2,
} as const;

/**
 * What a stream is now, as DescribeStreamSummary says, and the customer
 * keys its integration's write policy grants.
 *
 * @public
 */
export interface StreamState {
  capacityMode: CapacityMode;
  openShardCount: number;
  retentionHours: number;
  /** The KMS key (id, ARN or alias) encrypting the stream; absent when none. */
  kmsKeyId?: string;
  /**
   * The customer keys the integration's least-privilege write policy grants
   * `kms:GenerateDataKey` on; absent when there is no such policy to update
   * (none, or one changed by hand).
   */
  policyKeys?: string[];
}

/**
 * The change asked for; an absent value keeps the stream's.
 *
 * @public
 */
export interface StreamUpdateRequest {
  capacityMode?: CapacityMode;
  shardCount?: number;
  retentionHours?: number;
  encryption?: EncryptionMode;
  kmsKeyArn?: string;
}

/**
 * One AWS call of a planned change, in the order to make them (the stream
 * is waited on until ACTIVE after each stream call).
 *
 * @public
 */
export type StreamUpdateStep =
  | { call: 'UpdateStreamMode'; mode: CapacityMode }
  | { call: 'UpdateShardCount'; from: number; to: number }
  | {
      call: 'IncreaseStreamRetentionPeriod' | 'DecreaseStreamRetentionPeriod';
      hours: number;
    }
  | { call: 'StartStreamEncryption'; keyId: string }
  | { call: 'StopStreamEncryption'; keyId: string }
  /** A new default version of the write policy granting exactly these keys. */
  | { call: 'SetPolicyKeys'; keys: string[] };

/** @public */
export interface StreamUpdatePlan {
  /** Broken rules; when any, there are no steps. */
  issues: ValidationIssue[];
  steps: StreamUpdateStep[];
  /** The change in words, one line per setting, e.g. `retention: 24 h → 48 h`. */
  changes: string[];
}

const present = (value: unknown) =>
  value !== undefined && value !== null && value !== '';

/**
 * Checks what can be checked of a change before reading the stream: each
 * value against the rules of the create form, and the combinations (shards
 * only for PROVISIONED, a key ARN only and always with KMS_CUSTOMER_KEY, a
 * key the write policy can grant, in the stream's account and region).
 *
 * @public
 */
export function validateStreamUpdate(
  input: Record<string, unknown>,
  streamArn: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const fields = [
    'capacityMode',
    'shardCount',
    'retentionHours',
    'encryption',
  ] as const;
  if (!fields.some(field => present(input[field]))) {
    return [
      {
        field: 'input',
        message: `asks for no change: give at least one of ${fields.join(
          ', ',
        )}`,
      },
    ];
  }
  for (const field of fields) {
    if (present(input[field]))
      issues.push(...rules[field](input[field], field));
  }
  if (input.capacityMode === 'ON_DEMAND' && present(input.shardCount)) {
    issues.push({
      field: 'shardCount',
      message:
        'is only for PROVISIONED capacity mode: an ON_DEMAND stream scales its shards itself',
    });
  }
  if (input.encryption === 'KMS_CUSTOMER_KEY') {
    issues.push(
      ...(present(input.kmsKeyArn)
        ? validatePolicyKmsKey(input.kmsKeyArn, streamArn)
        : [
            {
              field: 'kmsKeyArn',
              message: 'is required when encryption is KMS_CUSTOMER_KEY',
            },
          ]),
    );
  } else if (present(input.kmsKeyArn)) {
    issues.push({
      field: 'kmsKeyArn',
      message: 'is only used when encryption is KMS_CUSTOMER_KEY',
    });
  }
  return issues;
}

/**
 * The UpdateShardCount targets that take `from` open shards to `to` with
 * UNIFORM_SCALING, each call at most doubling or halving: 1 → 4 is 2, 4.
 *
 * @public
 */
export function shardCountSteps(from: number, to: number): number[] {
  const steps: number[] = [];
  for (let at = from; at !== to; steps.push(at)) {
    at = at < to ? Math.min(at * 2, to) : Math.max(Math.ceil(at / 2), to);
  }
  return steps;
}

/** The key a stream is encrypted with for an encryption mode; none for NONE. */
function keyFor(request: StreamUpdateRequest): string | undefined {
  if (request.encryption === 'KMS_AWS_MANAGED') return AWS_MANAGED_KINESIS_KEY;
  if (request.encryption === 'KMS_CUSTOMER_KEY') return request.kmsKeyArn;
  return undefined;
}

const encryptionText = (keyId?: string) =>
  keyId ? `KMS with ${keyId}` : 'none';
const keysText = (keys: string[]) => (keys.length ? keys.join(', ') : 'none');

/**
 * Plans a change of a stream from its state, only what differs, in AWS's
 * order: mode switch, shard count (in doubling or halving calls), retention,
 * encryption (the write policy granting a new customer key before the
 * stream uses it, and dropping an old one after). Refuses, naming the rule,
 * what AWS would refuse or what would break Meter's writes. The request is
 * expected to have passed {@link validateStreamUpdate}.
 *
 * @public
 */
export function planStreamUpdate(
  current: StreamState,
  request: StreamUpdateRequest,
): StreamUpdatePlan {
  const issues: ValidationIssue[] = [];
  const steps: StreamUpdateStep[] = [];
  const changes: string[] = [];

  const mode = request.capacityMode ?? current.capacityMode;
  if (mode !== current.capacityMode) {
    steps.push({ call: 'UpdateStreamMode', mode });
    changes.push(
      `capacity mode: ${current.capacityMode} → ${mode}${
        mode === 'PROVISIONED' && request.shardCount === undefined
          ? ` (keeps its ${current.openShardCount} open shards)`
          : ''
      }`,
    );
  }

  if (request.shardCount !== undefined) {
    const to = request.shardCount;
    const targets = shardCountSteps(current.openShardCount, to);
    const path = [current.openShardCount, ...targets].join('→');
    if (mode === 'ON_DEMAND') {
      issues.push({
        field: 'shardCount',
        message:
          'is only for PROVISIONED capacity mode: this stream is ON_DEMAND and scales its shards itself (set capacityMode to PROVISIONED to fix its shards)',
      });
    } else if (targets.length > STREAM_UPDATE_LIMITS.shardCountCallsPerDay) {
      issues.push({
        field: 'shardCount',
        message: `${to} needs ${targets.length} UpdateShardCount calls from the ${current.openShardCount} open shards (${path}: each call at most doubles or halves them), and AWS allows ${STREAM_UPDATE_LIMITS.shardCountCallsPerDay} per stream in a rolling 24 hours: choose a count within ${STREAM_UPDATE_LIMITS.shardCountCallsPerDay} steps, and the rest a day later`,
      });
    } else if (targets.length > 0) {
      let from = current.openShardCount;
      for (const target of targets) {
        steps.push({ call: 'UpdateShardCount', from, to: target });
        from = target;
      }
      changes.push(
        `shards: ${current.openShardCount} → ${to} (${targets.length} call${
          targets.length > 1 ? 's' : ''
        }: ${path})`,
      );
    }
  }

  const hours = request.retentionHours;
  if (hours !== undefined && hours !== current.retentionHours) {
    steps.push({
      call:
        hours > current.retentionHours
          ? 'IncreaseStreamRetentionPeriod'
          : 'DecreaseStreamRetentionPeriod',
      hours,
    });
    changes.push(`retention: ${current.retentionHours} h → ${hours} h`);
  }

  const wantedKey = keyFor(request);
  if (request.encryption !== undefined && wantedKey !== current.kmsKeyId) {
    const customer =
      request.encryption === 'KMS_CUSTOMER_KEY' ? wantedKey : undefined;
    const granted = current.policyKeys;
    const needsGrant = customer && !granted?.includes(customer);
    if (needsGrant && !granted) {
      issues.push({
        field: 'kmsKeyArn',
        message: `cannot be granted to Meter: the integration has no least-privilege write policy of Backstage's to add ${KMS_PRODUCER_ACTION} on the key to (none, or one changed by hand), and Meter's writes to a stream encrypted with a customer key need it. Restore the write policy first`,
      });
    } else {
      if (needsGrant) {
        steps.push({ call: 'SetPolicyKeys', keys: [...granted!, customer!] });
      }
      steps.push(
        wantedKey
          ? { call: 'StartStreamEncryption', keyId: wantedKey }
          : { call: 'StopStreamEncryption', keyId: current.kmsKeyId! },
      );
      changes.push(
        `encryption: ${encryptionText(current.kmsKeyId)} → ${encryptionText(
          wantedKey,
        )}`,
      );
      const after = customer ? [customer] : [];
      if (granted && keysText(granted) !== keysText(after)) {
        if (granted.some(key => key !== customer)) {
          steps.push({ call: 'SetPolicyKeys', keys: after });
        }
        changes.push(
          `write policy ${KMS_PRODUCER_ACTION}: ${keysText(
            granted,
          )} → ${keysText(after)}`,
        );
      }
    }
  }

  return issues.length
    ? { issues, steps: [], changes: [] }
    : { issues, steps, changes };
}

/**
 * The least-privilege write policy of a stream granting
 * `kms:GenerateDataKey` on exactly `keys` (two while a stream moves from one
 * customer key to another).
 *
 * @public
 */
export function permissionsPolicyWithKeys(
  streamArn: string,
  keys: string[],
): PolicyDocument {
  const document = buildPermissionsPolicy(streamArn, {
    kmsKeyArn: keys[0],
  });
  if (keys.length > 1) {
    document.Statement[1] = { ...document.Statement[1], Resource: keys };
  }
  return document;
}

/**
 * The customer keys a write policy grants when it is the least-privilege
 * one of the stream (see {@link permissionsPolicyWithKeys}); `undefined`
 * when it says anything else.
 *
 * @public
 */
export function policyKmsKeys(
  document: PolicyDocument,
  streamArn: string,
): string[] | undefined {
  const kms = document.Statement?.find(s =>
    [s.Action].flat().includes(KMS_PRODUCER_ACTION),
  );
  const keys = kms ? [kms.Resource ?? []].flat() : [];
  return samePolicy(document, permissionsPolicyWithKeys(streamArn, keys))
    ? keys
    : undefined;
}

/**
 * A dry run that could not read the stream: the wanted values alone.
 *
 * @public
 */
export function describeStreamRequest(request: StreamUpdateRequest): string[] {
  return [
    request.capacityMode && `capacity mode: → ${request.capacityMode}`,
    request.shardCount !== undefined && `shards: → ${request.shardCount}`,
    request.retentionHours !== undefined &&
      `retention: → ${request.retentionHours} h`,
    request.encryption && `encryption: → ${encryptionText(keyFor(request))}`,
  ].filter((line): line is string => !!line);
}
