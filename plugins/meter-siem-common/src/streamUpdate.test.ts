import { AWS_MANAGED_KINESIS_KEY } from './constants';
import { LIMITS } from './limits';
import { buildPermissionsPolicy } from './policies';
import {
  STREAM_UPDATE_LIMITS,
  StreamState,
  describeStreamRequest,
  permissionsPolicyWithKeys,
  planStreamUpdate,
  policyKmsKeys,
  shardCountSteps,
  validateStreamUpdate,
} from './streamUpdate';

const STREAM = 'arn:aws:kinesis:eu-west-1:123456789012:stream/meter-siem-hq';
const KEY1 =
  'arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111';
const KEY2 =
  'arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-2222-2222-222222222222';

const provisioned: StreamState = {
  capacityMode: 'PROVISIONED',
  openShardCount: 1,
  retentionHours: 24,
  policyKeys: [],
};

const fields = (issues: { field: string }[]) => issues.map(i => i.field);

describe('validateStreamUpdate', () => {
  it('accepts each setting alone, at the bounds of LIMITS', () => {
    for (const input of [
      { shardCount: LIMITS.shardCount.min },
      { shardCount: LIMITS.shardCount.max, capacityMode: 'PROVISIONED' },
      { retentionHours: LIMITS.retentionHours.min },
      { retentionHours: LIMITS.retentionHours.max },
      { capacityMode: 'ON_DEMAND' },
      { encryption: 'NONE' },
      { encryption: 'KMS_AWS_MANAGED' },
      { encryption: 'KMS_CUSTOMER_KEY', kmsKeyArn: KEY1 },
    ]) {
      expect(validateStreamUpdate(input, STREAM)).toEqual([]);
    }
  });

  it.each([
    [
      { shardCount: LIMITS.shardCount.min - 1 },
      'shardCount',
      'between 1 and 500',
    ],
    [
      { shardCount: LIMITS.shardCount.max + 1 },
      'shardCount',
      'between 1 and 500',
    ],
    [{ shardCount: 2.5 }, 'shardCount', 'whole number'],
    [{ retentionHours: 23 }, 'retentionHours', 'between 24 and 8760'],
    [{ retentionHours: 8761 }, 'retentionHours', 'between 24 and 8760'],
    [{ capacityMode: 'SOMETIMES' }, 'capacityMode', 'PROVISIONED or ON_DEMAND'],
    [{ encryption: 'KMS' }, 'encryption', 'NONE, KMS_AWS_MANAGED or'],
    [
      { capacityMode: 'ON_DEMAND', shardCount: 2 },
      'shardCount',
      'only for PROVISIONED',
    ],
    [{ encryption: 'KMS_CUSTOMER_KEY' }, 'kmsKeyArn', 'is required when'],
    [
      {
        encryption: 'KMS_CUSTOMER_KEY',
        kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/mine',
      },
      'kmsKeyArn',
      'not of an alias',
    ],
    [
      { encryption: 'KMS_CUSTOMER_KEY', kmsKeyArn: KEY1.replace('eu-', 'us-') },
      'kmsKeyArn',
      "in the stream's account 123456789012 and region eu-west-1",
    ],
    [
      { encryption: 'KMS_AWS_MANAGED', kmsKeyArn: KEY1 },
      'kmsKeyArn',
      'only used when encryption is KMS_CUSTOMER_KEY',
    ],
    [{}, 'input', 'at least one of capacityMode, shardCount'],
  ])('refuses %j: %s %s', (input, field, message) => {
    const issues = validateStreamUpdate(input, STREAM);
    expect(fields(issues)).toEqual([field]);
    expect(issues[0].message).toContain(message);
  });

  it('names every bad field at once', () => {
    expect(
      fields(
        validateStreamUpdate(
          {
            capacityMode: 'ON_DEMAND',
            shardCount: 0,
            retentionHours: 1,
            encryption: 'KMS_CUSTOMER_KEY',
          },
          STREAM,
        ),
      ),
    ).toEqual(['shardCount', 'retentionHours', 'shardCount', 'kmsKeyArn']);
  });
});

describe('shardCountSteps', () => {
  it.each([
    [1, 1, []],
    [1, 2, [2]],
    [1, 4, [2, 4]],
    [1, 3, [2, 3]],
    [3, 8, [6, 8]],
    [4, 1, [2, 1]],
    [5, 1, [3, 2, 1]],
    [10, 6, [6]],
    [1, 500, [2, 4, 8, 16, 32, 64, 128, 256, 500]],
  ])(
    '%i → %i in calls to %j, each within half to double',
    (from, to, steps) => {
      expect(shardCountSteps(from, to)).toEqual(steps);
      let at = from;
      for (const next of steps) {
        expect(next).toBeLessThanOrEqual(at * 2);
        expect(next).toBeGreaterThanOrEqual(Math.ceil(at / 2));
        at = next;
      }
    },
  );
});

describe('planStreamUpdate', () => {
  it('changes nothing when the stream already has the values', () => {
    expect(
      planStreamUpdate(provisioned, {
        capacityMode: 'PROVISIONED',
        shardCount: 1,
        retentionHours: 24,
        encryption: 'NONE',
      }),
    ).toEqual({ issues: [], steps: [], changes: [] });
  });

  it('resizes 1 → 4 in two doubling calls', () => {
    expect(planStreamUpdate(provisioned, { shardCount: 4 })).toEqual({
      issues: [],
      steps: [
        { call: 'UpdateShardCount', from: 1, to: 2 },
        { call: 'UpdateShardCount', from: 2, to: 4 },
      ],
      changes: ['shards: 1 → 4 (2 calls: 1→2→4)'],
    });
  });

  it(`refuses a resize needing more than ${STREAM_UPDATE_LIMITS.shardCountCallsPerDay} calls, naming the rule`, () => {
    // 2000 → 1 halves 11 times; 1024 → 1 is exactly 10.
    expect(
      planStreamUpdate(
        { ...provisioned, openShardCount: 1024 },
        { shardCount: 1 },
      ).steps,
    ).toHaveLength(10);
    const plan = planStreamUpdate(
      { ...provisioned, openShardCount: 2000 },
      { shardCount: 1 },
    );
    expect(plan.steps).toEqual([]);
    expect(plan.issues).toEqual([
      {
        field: 'shardCount',
        message: expect.stringContaining(
          '1 needs 11 UpdateShardCount calls from the 2000 open shards (2000→1000→500→250→125→63→32→16→8→4→2→1: each call at most doubles or halves them), and AWS allows 10 per stream in a rolling 24 hours',
        ),
      },
    ]);
  });

  it('refuses shards for a stream that is and stays ON_DEMAND', () => {
    const plan = planStreamUpdate(
      { ...provisioned, capacityMode: 'ON_DEMAND', openShardCount: 4 },
      { shardCount: 2, retentionHours: 48 },
    );
    expect(fields(plan.issues)).toEqual(['shardCount']);
    expect(plan.issues[0].message).toContain('this stream is ON_DEMAND');
    expect(plan.steps).toEqual([]);
  });

  it('switches ON_DEMAND to PROVISIONED, then resizes from the open shards', () => {
    expect(
      planStreamUpdate(
        { ...provisioned, capacityMode: 'ON_DEMAND', openShardCount: 4 },
        { capacityMode: 'PROVISIONED', shardCount: 2 },
      ),
    ).toEqual({
      issues: [],
      steps: [
        { call: 'UpdateStreamMode', mode: 'PROVISIONED' },
        { call: 'UpdateShardCount', from: 4, to: 2 },
      ],
      changes: [
        'capacity mode: ON_DEMAND → PROVISIONED',
        'shards: 4 → 2 (1 call: 4→2)',
      ],
    });
    expect(
      planStreamUpdate(
        { ...provisioned, capacityMode: 'ON_DEMAND', openShardCount: 4 },
        { capacityMode: 'PROVISIONED' },
      ).changes,
    ).toEqual([
      'capacity mode: ON_DEMAND → PROVISIONED (keeps its 4 open shards)',
    ]);
  });

  it('orders mode, shards, retention, encryption, and decreases retention', () => {
    const plan = planStreamUpdate(
      { ...provisioned, capacityMode: 'ON_DEMAND', retentionHours: 72 },
      {
        capacityMode: 'PROVISIONED',
        shardCount: 2,
        retentionHours: 48,
        encryption: 'KMS_AWS_MANAGED',
      },
    );
    expect(plan.steps.map(s => s.call)).toEqual([
      'UpdateStreamMode',
      'UpdateShardCount',
      'DecreaseStreamRetentionPeriod',
      'StartStreamEncryption',
    ]);
    expect(plan.changes).toEqual([
      'capacity mode: ON_DEMAND → PROVISIONED',
      'shards: 1 → 2 (1 call: 1→2)',
      'retention: 72 h → 48 h',
      `encryption: none → KMS with ${AWS_MANAGED_KINESIS_KEY}`,
    ]);
    expect(planStreamUpdate(provisioned, { retentionHours: 48 }).steps).toEqual(
      [{ call: 'IncreaseStreamRetentionPeriod', hours: 48 }],
    );
  });

  it('grants a new customer key before the stream uses it, and drops the old one after', () => {
    expect(
      planStreamUpdate(
        { ...provisioned, kmsKeyId: KEY1, policyKeys: [KEY1] },
        { encryption: 'KMS_CUSTOMER_KEY', kmsKeyArn: KEY2 },
      ),
    ).toEqual({
      issues: [],
      steps: [
        { call: 'SetPolicyKeys', keys: [KEY1, KEY2] },
        { call: 'StartStreamEncryption', keyId: KEY2 },
        { call: 'SetPolicyKeys', keys: [KEY2] },
      ],
      changes: [
        `encryption: KMS with ${KEY1} → KMS with ${KEY2}`,
        `write policy kms:GenerateDataKey: ${KEY1} → ${KEY2}`,
      ],
    });
    expect(
      planStreamUpdate(provisioned, {
        encryption: 'KMS_CUSTOMER_KEY',
        kmsKeyArn: KEY1,
      }).steps,
    ).toEqual([
      { call: 'SetPolicyKeys', keys: [KEY1] },
      { call: 'StartStreamEncryption', keyId: KEY1 },
    ]);
  });

  it('stops encryption with the key in use, then drops its grant', () => {
    expect(
      planStreamUpdate(
        { ...provisioned, kmsKeyId: KEY1, policyKeys: [KEY1] },
        { encryption: 'NONE' },
      ),
    ).toEqual({
      issues: [],
      steps: [
        { call: 'StopStreamEncryption', keyId: KEY1 },
        { call: 'SetPolicyKeys', keys: [] },
      ],
      changes: [
        `encryption: KMS with ${KEY1} → none`,
        `write policy kms:GenerateDataKey: ${KEY1} → none`,
      ],
    });
  });

  it('refuses a customer key when there is no least-privilege policy to grant it in', () => {
    const plan = planStreamUpdate(
      { ...provisioned, policyKeys: undefined },
      { encryption: 'KMS_CUSTOMER_KEY', kmsKeyArn: KEY1 },
    );
    expect(fields(plan.issues)).toEqual(['kmsKeyArn']);
    expect(plan.issues[0].message).toContain('no least-privilege write policy');
    // The AWS-managed key needs no grant.
    expect(
      planStreamUpdate(
        { ...provisioned, policyKeys: undefined },
        { encryption: 'KMS_AWS_MANAGED' },
      ).issues,
    ).toEqual([]);
  });
});

describe('the write policy keys', () => {
  it('reads the keys of the least-privilege policy, and nothing of another', () => {
    expect(policyKmsKeys(buildPermissionsPolicy(STREAM), STREAM)).toEqual([]);
    expect(
      policyKmsKeys(
        buildPermissionsPolicy(STREAM, { kmsKeyArn: KEY1 }),
        STREAM,
      ),
    ).toEqual([KEY1]);
    expect(
      policyKmsKeys(permissionsPolicyWithKeys(STREAM, [KEY1, KEY2]), STREAM),
    ).toEqual([KEY1, KEY2]);
    const widened = buildPermissionsPolicy(STREAM);
    widened.Statement[0].Action = 'kinesis:*';
    expect(policyKmsKeys(widened, STREAM)).toBeUndefined();
    expect(
      policyKmsKeys(buildPermissionsPolicy(`${STREAM}-other`), STREAM),
    ).toBeUndefined();
  });
});

describe('describeStreamRequest', () => {
  it('says the wanted values when the stream could not be read', () => {
    expect(
      describeStreamRequest({
        capacityMode: 'PROVISIONED',
        shardCount: 2,
        retentionHours: 48,
        encryption: 'KMS_AWS_MANAGED',
      }),
    ).toEqual([
      'capacity mode: → PROVISIONED',
      'shards: → 2',
      'retention: → 48 h',
      `encryption: → KMS with ${AWS_MANAGED_KINESIS_KEY}`,
    ]);
  });
});
