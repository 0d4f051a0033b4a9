import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AwsFault,
  AwsFaultProxy,
  eventually,
  startAwsFaultProxy,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { allNames, requireMoto, uniqueName } from './__testUtils__/moto';
import { startScaffolder } from './__testUtils__/backend';
import { JANE } from './__testUtils__/org';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';

/**
 * The create template through the real scaffolder backend, with every AWS
 * call it makes failing in turn with each fault AWS can answer, through a
 * proxy in front of moto (which never fails by itself).
 *
 * - A fault on every attempt (throttling, AccessDenied, 500, 503, a stalled
 *   connection, a reset): the run fails with a message naming the call and
 *   what to do, and a re-run then converges.
 * - One throttle, or one answer lost after AWS acted on the call: the SDK's
 *   retry carries the run through, a lost Create* included.
 * - Afterwards exactly one stream, policy and role exist for the name, and
 *   the external ID is the one the first run made.
 */

jest.setTimeout(60_000);

const MOTO = requireMoto();
const REGION = 'us-west-2';

/** Every AWS call a first run of the template makes, in order. */
const CALLS = [
  'iam:GetPolicy',
  'iam:GetRole',
  'kinesis:DescribeStreamSummary',
  'kinesis:CreateStream',
  'kinesis:ListTagsForStream',
  // The IAM work and the alarm while AWS creates the stream.
  'iam:CreatePolicy',
  'iam:CreateRole',
  'iam:ListAttachedRolePolicies',
  'iam:AttachRolePolicy',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:PutMetricAlarm',
  // Then the stream's settings, once it is ACTIVE.
  'kinesis:EnableEnhancedMonitoring',
];

const EVERY_ATTEMPT: AwsFault[] = [
  'throttle',
  'denied',
  'server-error',
  'unavailable',
  'stall',
  'reset',
];
const ONCE: AwsFault[] = ['throttle', 'lost'];

/** What a person reads when a run fails: the call, and what to do. */
const ACTIONABLE =
  /run the template again|Grant the credentials|Wait a (few minutes|minute)/;

/** Short timeouts and two attempts, so that a failing run fails fast. */
const startBackend = () =>
  startScaffolder([], {
    config: {
      meterSiem: {
        awsClient: {
          connectionTimeout: { milliseconds: 500 },
          requestTimeout: { milliseconds: 500 },
          maxAttempts: 2,
        },
      },
    },
  });

type Row = { call: string; fault: string; first: string; rerun: string };
const rows: Row[] = [];

describe('the create template under AWS faults', () => {
  let proxy: AwsFaultProxy;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const iam = new IAMClient({ region: REGION, endpoint: MOTO });
  const endpoint = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    proxy = await startAwsFaultProxy({ target: MOTO });
    // Every client the backend makes from now on goes through the proxy.
    process.env.AWS_ENDPOINT_URL = proxy.url;
    scaffolder = await startBackend();
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL = endpoint;
    await scaffolder?.backend.stop();
    await proxy?.close();
    // The matrix's outcome, for the test log.
    const width = Math.max(...rows.map(r => r.call.length));
    // eslint-disable-next-line no-console
    console.log(
      [
        `${'AWS call'.padEnd(width)}  ${'fault'.padEnd(
          28,
        )}  ${'first run'.padEnd(40)}  re-run`,
        ...rows.map(
          r =>
            `${r.call.padEnd(width)}  ${r.fault.padEnd(28)}  ${r.first.padEnd(
              40,
            )}  ${r.rerun}`,
        ),
      ].join('\n'),
    );
  });
  afterEach(() => proxy.clear());

  const values = (name: string) => ({
    name,
    owner: 'group:default/security',
    environment: 'production',
    region: REGION,
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  });

  const externalIdOf = async (name: string) => {
    const role = await iam
      .send(new GetRoleCommand({ RoleName: `meter-siem-${name}` }))
      .catch(() => undefined);
    if (!role) return undefined;
    return JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))
      .Statement[0].Condition.StringEquals['sts:ExternalId'] as string;
  };

  /** The failure a person sees on the run page: the step's error. */
  const failureOf = (run: { events: Array<{ type: string; body: any }> }) =>
    run.events
      .filter(e => e.type === 'completion' || e.body?.status === 'failed')
      .map(e => String(e.body?.message ?? ''))
      .join('\n');

  /** One stream, one policy, one role for the name: nothing orphaned or doubled. */
  const expectExactlyOneOfEach = async (name: string) => {
    expect(
      (await allNames(REGION)).filter(n => n.includes(name)).sort(),
    ).toEqual([
      `meter-siem-${name}`,
      `meter-siem-${name}`,
      `meter-siem-${name}-kinesis-write`,
    ]);
  };

  it('covers every AWS call the template makes', async () => {
    proxy.resetCalls();
    const run = await scaffolder.run(values(uniqueName('calls')));
    expect(run.task?.status).toBe('completed');
    const seen = [
      ...new Set(
        proxy
          .calls()
          .filter(c => c.caller === 'backstage-meter-siem-scaffolder')
          .map(c => c.operation),
      ),
    ];
    // STS only on a backend's first run: the credentials manager keeps
    // the account id (tested below with a backend of its own per fault).
    expect(seen).toEqual(['sts:GetCallerIdentity', ...CALLS]);
  });

  it('stops a run cancelled while it waits for the stream within seconds; a re-run converges', async () => {
    const name = uniqueName('cancel');
    // AWS takes tens of seconds to make a stream ACTIVE; moto, none.
    proxy.holdStreamStatus({ status: 'CREATING', forMs: 120_000 });
    const auth = mockCredentials.user.header(JANE);
    const created = await request(scaffolder.backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({
        templateRef: 'template:default/meter-siem-integration',
        values: values(name),
      });
    expect(created.status).toBe(201);
    const task = `/api/scaffolder/v2/tasks/${created.body.id}`;
    // Wait until the run is waiting for the stream it created: the IAM
    // work and the alarm are done during AWS's wait, the settings step waits.
    await eventually(async () => {
      expect(proxy.calls().map(c => c.operation)).toContain(
        'cloudwatch:PutMetricAlarm',
      );
    });
    await new Promise(resolve => setTimeout(resolve, 1500));
    const cancelledAt = Date.now();
    await request(scaffolder.backend.server)
      .post(`${task}/cancel`)
      .set('Authorization', auth)
      .expect(200);
    let status = '';
    await eventually(async () => {
      status = (
        await request(scaffolder.backend.server)
          .get(task)
          .set('Authorization', auth)
      ).body.status;
      expect(['cancelled', 'failed', 'completed']).toContain(status);
    }, 20_000);
    const stoppedAfterMs = Date.now() - cancelledAt;
    // The scaffolder ends a cancelled task as failed, its step as cancelled.
    expect(status).toBe('failed');
    const events = (
      await request(scaffolder.backend.server)
        .get(`${task}/events`)
        .set('Authorization', auth)
    ).body as Array<{ type: string; body: any }>;
    expect(
      events.some(
        e => e.body?.stepId === 'settings' && e.body?.status === 'cancelled',
      ),
    ).toBe(true);
    expect(failureOf({ events })).toMatch(/the run was cancelled/);
    // The signal cuts the pause between looks short.
    expect(stoppedAfterMs).toBeLessThan(5_000);
    rows.push({
      call: 'waiting for ACTIVE',
      fault: 'task cancelled',
      first: `cancelled, stopped after ${stoppedAfterMs} ms`,
      rerun: 'completed, converged',
    });

    proxy.clear();
    const rerun = await scaffolder.run(values(name));
    expect(rerun.task?.status).toBe('completed');
    await expectExactlyOneOfEach(name);
  });

  it.each(['CREATING', 'UPDATING'] as const)(
    'waits while the stream is %s, then goes on',
    async status => {
      const name = uniqueName('wait');
      // For UPDATING, a re-run finds its stream being updated.
      const earlier =
        status === 'UPDATING' ? await scaffolder.run(values(name)) : undefined;
      expect(earlier?.task?.status ?? 'completed').toBe('completed');
      proxy.resetCalls();
      proxy.holdStreamStatus({
        status,
        forMs: 2_500,
        streamName: `meter-siem-${name}`,
      });
      const run = await scaffolder.run(values(name));
      expect(run.task?.status).toBe('completed');
      // Looked again after a pause until the stream was ACTIVE: 1 s, 2 s.
      const looks = proxy
        .calls()
        .filter(
          c =>
            c.operation === 'kinesis:DescribeStreamSummary' &&
            c.caller === 'backstage-meter-siem-scaffolder',
        ).length;
      expect(looks).toBeGreaterThanOrEqual(3);
      await expectExactlyOneOfEach(name);
    },
  );

  it("ends a stalled connection within the configured timeout, not the task's", async () => {
    const name = uniqueName('stall');
    proxy.inject({ operation: 'kinesis:CreateStream', fault: 'stall' });
    const started = Date.now();
    const first = await scaffolder.run(values(name));
    const tookMs = Date.now() - started;
    proxy.clear();
    expect(first.task?.status).toBe('failed');
    expect(failureOf(first)).toContain(
      'AWS did not answer kinesis:CreateStream',
    );
    // 2 attempts of 500 ms each and a short backoff, far from 300 s.
    expect(tookMs).toBeLessThan(10_000);
    rows.push({
      call: 'kinesis:CreateStream',
      fault: 'stall (timeout 500 ms)',
      first: `failed after ${tookMs} ms`,
      rerun: 'completed, converged',
    });
    const rerun = await scaffolder.run(values(name));
    expect(rerun.task?.status).toBe('completed');
    await expectExactlyOneOfEach(name);
  });

  describe('sts:GetCallerIdentity, on the first run of a backend', () => {
    it.each([...EVERY_ATTEMPT.map(f => [f, 'every']), ['lost', 'once']])(
      'failing with %s (%s attempt): the run fails or retries, a re-run converges',
      async (fault, mode) => {
        const fresh = await startBackend();
        try {
          const name = uniqueName('sts');
          proxy.inject({
            operation: 'sts:GetCallerIdentity',
            fault: fault as AwsFault,
            times: mode === 'once' ? 1 : undefined,
          });
          const first = await fresh.run(values(name));
          proxy.clear();
          // Once: the retry carries the run; on every attempt it fails,
          // naming the call and the fix.
          expect({
            status: first.task?.status,
            actionable:
              failureOf(first).includes('sts:GetCallerIdentity') &&
              ACTIONABLE.test(failureOf(first)),
          }).toEqual(
            mode === 'once'
              ? { status: 'completed', actionable: false }
              : { status: 'failed', actionable: true },
          );
          const rerun = await fresh.run(values(name));
          expect(rerun.task?.status).toBe('completed');
          await expectExactlyOneOfEach(name);
          rows.push({
            call: 'sts:GetCallerIdentity',
            fault: `${fault} (${mode === 'once' ? 'once' : 'every attempt'})`,
            first:
              mode === 'once'
                ? 'completed after a retry'
                : 'failed, names the call and the fix',
            rerun: 'completed, converged',
          });
        } finally {
          await fresh.backend.stop();
        }
      },
    );
  });

  describe.each(CALLS)('%s', call => {
    it.each(EVERY_ATTEMPT)(
      'failing with %s on every attempt: an actionable failure, then a re-run converges',
      async fault => {
        const name = uniqueName('f');
        proxy.inject({ operation: call, fault });
        const first = await scaffolder.run(values(name));
        proxy.clear();
        const message = failureOf(first);
        expect(first.task?.status).toBe('failed');
        expect(message).toContain(call);
        expect(message).toMatch(ACTIONABLE);
        const made = await externalIdOf(name);

        const rerun = await scaffolder.run(values(name));
        expect(rerun.task?.status).toBe('completed');
        await expectExactlyOneOfEach(name);
        // A role the failed run made keeps its external ID.
        const now = await externalIdOf(name);
        expect(now).toMatch(/^[0-9a-f]{64}$/);
        expect(now).toBe(made ?? now);
        rows.push({
          call,
          fault: `${fault} (every attempt)`,
          first: 'failed, names the call and the fix',
          rerun: 'completed, converged',
        });
      },
    );

    it.each(ONCE)(
      'failing with %s once: the retry carries the run through',
      async fault => {
        const name = uniqueName('o');
        proxy.inject({ operation: call, fault, times: 1 });
        const first = await scaffolder.run(values(name));
        proxy.clear();
        expect(first.task?.status).toBe('completed');
        const made = await externalIdOf(name);
        expect(made).toMatch(/^[0-9a-f]{64}$/);
        await expectExactlyOneOfEach(name);

        const rerun = await scaffolder.run(values(name));
        expect(rerun.task?.status).toBe('completed');
        await expectExactlyOneOfEach(name);
        expect(await externalIdOf(name)).toBe(made);
        rows.push({
          call,
          fault: `${fault} (once)`,
          first: 'completed after a retry',
          rerun: 'completed, unchanged',
        });
      },
    );
  });
});
