/**
 * Benchmark of issues 2 and 11: runs of the meter-siem-integration template
 * through the real Backstage backend, against moto behind the AWS-at-its-
 * limits simulator (plugins/meter-siem-node/src/testUtils/awsFaultProxy.ts:
 * AWS's published per-account rates, and streams that stay CREATING and
 * UPDATING as long as on AWS), beside a bare script making the guide's SDK
 * calls one after the other. Prints AWS calls by operation, wall times, and
 * the floor: the sum of the waits AWS imposes (CREATING once, UPDATING after
 * each setting), which the template's run can only approach.
 *
 * Run with ./bench/run.sh provision (it installs what is needed and starts
 * moto). BENCH_CREATING_MS / BENCH_UPDATING_MS override the simulator's
 * transition times.
 */
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  CreateStreamCommand,
  EnableEnhancedMonitoringCommand,
  KinesisClient,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { printCounts } from './countingProxy.ts';

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const simulator =
  require('../plugins/meter-siem-node/src/testUtils/awsFaultProxy.ts') as typeof import('../plugins/meter-siem-node/src/testUtils/awsFaultProxy.ts');

const moto = process.env.AWS_ENDPOINT_URL;
if (!moto)
  throw new Error('AWS_ENDPOINT_URL (moto) is not set; use bench/run.sh');
const port = Number(process.env.BENCH_BACKEND_PORT ?? 7107);
const baseUrl = `http://localhost:${port}`;
const token = randomBytes(24).toString('hex');
const region = 'us-east-1';

async function waitFor(url: string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

interface Case {
  label: string;
  retentionHours: number;
  encryption: 'NONE' | 'KMS_AWS_MANAGED';
}

const CASES: Case[] = [
  {
    label: 'defaults: 24 h, no encryption',
    retentionHours: 24,
    encryption: 'NONE',
  },
  {
    label: '7 days, KMS (AWS-managed key)',
    retentionHours: 168,
    encryption: 'KMS_AWS_MANAGED',
  },
];

/** The local OpenID provider the bench's backend signs users in with. */
const idpPort = Number(process.env.BENCH_IDP_PORT ?? 7129);

/**
 * A user token for Jane (of the security team): template runs act for a
 * signed-in member of the owning team, as in the product.
 */
function userToken(user: string): string {
  const out = execFileSync('./scripts/token.sh', [user], {
    encoding: 'utf8',
    env: { ...process.env, BACKEND_URL: baseUrl, IDP_PORT: String(idpPort) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.trim().split('\n').pop()!;
}

function stopIdp() {
  const pidFile = `.run/idp-${idpPort}.pid`;
  try {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM');
  } catch {
    // not running
  }
}

let jane = '';

async function runTemplate(name: string, settings: Case = CASES[0]) {
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${jane}`,
  };
  const started = performance.now();
  const created = await fetch(`${baseUrl}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      templateRef: 'template:default/meter-siem-integration',
      values: {
        name,
        owner: 'group:default/security',
        environment: 'production',
        region,
        capacityMode: 'PROVISIONED',
        shardCount: 1,
        retentionHours: settings.retentionHours,
        encryption: settings.encryption,
      },
    }),
  });
  if (created.status !== 201) {
    throw new Error(
      `task not created: ${created.status} ${await created.text()}`,
    );
  }
  const { id } = (await created.json()) as { id: string };
  for (let failures = 0; ; ) {
    const res = await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
      headers,
    });
    if (!res.ok) {
      // A busy 2-core machine: say so, and look again.
      if (++failures > 20) {
        throw new Error(`task events: ${res.status} ${await res.text()}`);
      }
      console.warn(`task events answered ${res.status}; looking again`);
      await new Promise(r => setTimeout(r, 500));
      continue;
    }
    const events = (await res.json()) as Array<{ type: string; body: any }>;
    const done = events.find(e => e.type === 'completion');
    if (done) {
      if (!done.body.output?.roleArn) {
        throw new Error(`task failed: ${JSON.stringify(events.slice(-3))}`);
      }
      return performance.now() - started;
    }
    await new Promise(r => setTimeout(r, 100));
  }
}

async function bareScript(name: string, endpoint: string) {
  const common = {
    region,
    endpoint,
    customUserAgent: 'backstage-meter-siem-bare',
  };
  const kinesis = new KinesisClient({
    ...common,
    requestHandler: new NodeHttpHandler(),
  });
  const iam = new IAMClient(common);
  const started = performance.now();
  const streamName = `meter-siem-${name}`;
  await kinesis.send(
    new CreateStreamCommand({
      StreamName: streamName,
      ShardCount: 1,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      Tags: { owner: 'group:default/security' },
    }),
  );
  const active = await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 300, minDelay: 2, maxDelay: 20 },
    { StreamName: streamName },
  );
  const streamArn = active.reason.StreamDescription.StreamARN;
  await kinesis.send(
    new EnableEnhancedMonitoringCommand({
      StreamName: streamName,
      ShardLevelMetrics: ['IncomingBytes', 'IncomingRecords'],
    }),
  );
  // Done when the stream is ACTIVE again (the guide's "wait until Active").
  await waitUntilStreamExists(
    { client: kinesis, maxWaitTime: 300, minDelay: 2, maxDelay: 20 },
    { StreamName: streamName },
  );
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${streamName}-kinesis-write`,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
            Resource: streamArn,
          },
        ],
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: streamName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              AWS: 'arn:aws:iam::458553032353:role/Meter-data-export',
            },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: {
                'sts:ExternalId': randomBytes(32).toString('hex'),
              },
            },
          },
        ],
      }),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: streamName,
      PolicyArn: policy.Policy!.Arn,
    }),
  );
  return performance.now() - started;
}

type Proxy = Awaited<ReturnType<typeof simulator.startAwsFaultProxy>>;
type Call = ReturnType<Proxy['calls']>[number];

/** AWS's transition of a stream that a successful call starts, if any. */
const TRANSITIONS: Record<string, 'CREATING' | 'UPDATING'> = {
  'kinesis:CreateStream': 'CREATING',
  'kinesis:IncreaseStreamRetentionPeriod': 'UPDATING',
  'kinesis:DecreaseStreamRetentionPeriod': 'UPDATING',
  'kinesis:StartStreamEncryption': 'UPDATING',
  'kinesis:StopStreamEncryption': 'UPDATING',
  'kinesis:EnableEnhancedMonitoring': 'UPDATING',
  'kinesis:UpdateShardCount': 'UPDATING',
  'kinesis:UpdateStreamMode': 'UPDATING',
};

/**
 * The floor of a run: the waits AWS imposes one after the other (a stream
 * takes no change while CREATING or UPDATING), from the calls that started
 * them.
 */
function floorOf(calls: Call[], times: { CREATING: number; UPDATING: number }) {
  return calls
    .filter(c => !c.fault && !c.refused && TRANSITIONS[c.operation])
    .reduce((sum, c) => sum + times[TRANSITIONS[c.operation]], 0);
}

function countsOf(calls: Call[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls)
    counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  return counts;
}

/** Calls other than the waits' looks made more than once in a run. */
function twice(calls: Call[]): string[] {
  return [...countsOf(calls)]
    .filter(([op, n]) => n > 1 && op !== 'kinesis:DescribeStreamSummary')
    .map(([op, n]) => `${op} ×${n}`);
}

async function main() {
  const times = {
    CREATING: Number(
      process.env.BENCH_CREATING_MS ?? simulator.AWS_TRANSITION_TIMES.CREATING,
    ),
    UPDATING: Number(
      process.env.BENCH_UPDATING_MS ?? simulator.AWS_TRANSITION_TIMES.UPDATING,
    ),
  };
  const proxy = await simulator.startAwsFaultProxy({
    target: moto!,
    limits: simulator.AWS_RATE_LIMITS,
    transitions: times,
  });
  console.log(
    `Starting the Backstage backend on ${baseUrl} (AWS through the simulator in front of ${moto}: CREATING ${times.CREATING} ms, UPDATING ${times.UPDATING} ms, AWS's per-account rates)`,
  );
  const backend = spawn('yarn', ['workspace', 'backend', 'start'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: proxy.url,
      LOG_LEVEL: 'warn',
      APP_CONFIG_backend_baseUrl: baseUrl,
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
        { type: 'static', options: { token, subject: 'benchmark' } },
      ]),
      APP_CONFIG_auth_providers_oidc_development_metadataUrl: `http://localhost:${idpPort}/.well-known/openid-configuration`,
    },
  });
  const ours = (caller: string) =>
    proxy.calls().filter(c => c.caller === caller);
  try {
    await waitFor(`${baseUrl}/.backstage/health/v1/readiness`, 180_000);
    // The template is read from the catalog: wait until it is there.
    const headers = { authorization: `Bearer ${token}` };
    const end = Date.now() + 120_000;
    while (
      !(
        await fetch(
          `${baseUrl}/api/catalog/entities/by-name/template/default/meter-siem-integration`,
          { headers },
        )
      ).ok
    ) {
      if (Date.now() > end)
        throw new Error('template never reached the catalog');
      await new Promise(r => setTimeout(r, 500));
    }
    jane = userToken('jane.doe');

    const rows: Array<{
      label: string;
      wallMs: number;
      floorMs: number;
      calls: number;
      twice: string[];
      throttled: number;
    }> = [];
    const record = (label: string, wallMs: number, calls: Call[]) => {
      const total = printCounts(label, countsOf(calls));
      rows.push({
        label,
        wallMs,
        floorMs: floorOf(calls, times),
        calls: total,
        twice: twice(calls),
        throttled: calls.filter(c => c.throttled).length,
      });
    };

    const base = `bench-${randomBytes(3).toString('hex')}`;
    for (const [i, settings] of CASES.entries()) {
      proxy.resetCalls();
      const wallMs = await runTemplate(`${base}-${i}`, settings);
      record(
        `Template run, ${settings.label}`,
        wallMs,
        ours('backstage-meter-siem-scaffolder'),
      );
    }
    proxy.resetCalls();
    const againMs = await runTemplate(`${base}-0`, CASES[0]);
    record(
      `Same run again (${CASES[0].label}: converges)`,
      againMs,
      ours('backstage-meter-siem-scaffolder'),
    );
    proxy.resetCalls();
    const bareMs = await bareScript(`${base}-bare`, proxy.url);
    record(
      "Bare SDK script, the guide's order (create, wait, metrics, wait, then IAM)",
      bareMs,
      ours('backstage-meter-siem-bare'),
    );

    console.log(
      '\nWall time against the floor (the waits AWS imposes, one after the other):',
    );
    console.log(
      `  ${'run'.padEnd(72)} ${'wall'.padStart(9)} ${'floor'.padStart(
        9,
      )} ${'ratio'.padStart(6)} ${'calls'.padStart(6)} throttled  made twice`,
    );
    for (const r of rows) {
      console.log(
        `  ${r.label.padEnd(72)} ${`${(r.wallMs / 1000).toFixed(1)} s`.padStart(
          9,
        )} ${`${(r.floorMs / 1000).toFixed(1)} s`.padStart(9)} ${(r.floorMs
          ? (r.wallMs / r.floorMs).toFixed(2)
          : '-'
        ).padStart(6)} ${String(r.calls).padStart(6)} ${String(
          r.throttled,
        ).padStart(9)}  ${r.twice.join(', ') || '-'}`,
      );
    }
    console.log(
      "\nGoal: a first run within 1.10× its floor; DescribeStreamSummary is the waits' look (one a second).",
    );
  } finally {
    try {
      process.kill(-backend.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await proxy.close();
    stopIdp();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
