import {
  AWS_RATE_LIMITS,
  AwsFaultProxy,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { uniqueName } from './__testUtils__/moto';
import { startScaffolderBehindProxy } from './__testUtils__/backend';

/**
 * The create template's critical path: AWS takes tens of seconds to create
 * a stream (moto none; the simulator in front of it keeps it CREATING, and
 * UPDATING after each change, refusing changes meanwhile as AWS does), and
 * only the stream's own settings need it ACTIVE. The policy,
 * the role and the alarm are made during that wait, and no write is made
 * twice.
 */

jest.setTimeout(60_000);

const REGION = 'eu-central-1';
const CREATING_MS = 4_000;
const UPDATING_MS = 500;

describe('the create template on its critical path', () => {
  let scaffolder: Awaited<ReturnType<typeof startScaffolderBehindProxy>>;
  let proxy: AwsFaultProxy;

  beforeAll(async () => {
    // AWS as it behaves, shortened: a stream CREATING for 4 s, UPDATING for
    // half a second after each change, changes refused meanwhile.
    scaffolder = await startScaffolderBehindProxy({
      proxy: {
        transitions: { CREATING: CREATING_MS, UPDATING: UPDATING_MS },
        limits: AWS_RATE_LIMITS,
      },
    });
    proxy = scaffolder.proxy;
  });
  afterAll(() => scaffolder?.stop());

  it('makes the IAM parts and the alarm while AWS creates the stream, then applies its settings', async () => {
    const name = uniqueName('cp');
    proxy.resetCalls();
    const run = await scaffolder.run({
      name,
      owner: 'group:default/security',
      environment: 'production',
      region: REGION,
      capacityMode: 'PROVISIONED',
      shardCount: 1,
      retentionHours: 48,
      encryption: 'KMS_AWS_MANAGED',
    });
    expect(run.task?.status).toBe('completed');

    const made = proxy
      .calls()
      .filter(c => c.caller === 'backstage-meter-siem-scaffolder');
    // Nothing refused for a stream not ACTIVE yet, nothing throttled.
    expect(made.filter(c => c.refused || c.throttled)).toEqual([]);
    const calls = made.map(c => c.operation);
    const first = (operation: string) => calls.indexOf(operation);
    const created = first('kinesis:CreateStream');
    // Between the create and the last IAM or CloudWatch write, at most the
    // one look that finds the new stream: nothing waited for ACTIVE.
    const lastWrite = Math.max(
      first('iam:CreatePolicy'),
      first('iam:CreateRole'),
      first('iam:AttachRolePolicy'),
      first('cloudwatch:PutMetricAlarm'),
    );
    expect(created).toBeGreaterThanOrEqual(0);
    expect(
      calls
        .slice(created, lastWrite)
        .filter(c => c === 'kinesis:DescribeStreamSummary'),
    ).toHaveLength(1);
    // The settings come after, once the hold is over: the looks between
    // are the wait (one a second).
    expect(first('kinesis:IncreaseStreamRetentionPeriod')).toBeGreaterThan(
      lastWrite,
    );
    const looks = calls
      .slice(lastWrite, first('kinesis:IncreaseStreamRetentionPeriod'))
      .filter(c => c === 'kinesis:DescribeStreamSummary').length;
    expect(looks).toBeGreaterThanOrEqual(2);

    // Every write once; the settings in AWS's order, one at a time.
    const writes = calls.filter(c =>
      /^(Create|Attach|Put|Increase|Start|Enable|Add|Tag)/.test(
        c.split(':')[1],
      ),
    );
    expect(writes).toEqual([
      'kinesis:CreateStream',
      'iam:CreatePolicy',
      'iam:CreateRole',
      'iam:AttachRolePolicy',
      'cloudwatch:PutMetricAlarm',
      'kinesis:IncreaseStreamRetentionPeriod',
      'kinesis:StartStreamEncryption',
      'kinesis:EnableEnhancedMonitoring',
    ]);
  });
});
