/**
 * Benchmark of issue 2: one run of the meter-siem-integration template through
 * the real Backstage backend against moto, beside a bare script making the
 * same SDK calls. Prints AWS calls by operation, wall times and their ratio.
 *
 * Run with ./bench/run.sh provision (it installs what is needed and starts moto).
 */
import { spawn } from 'node:child_process';
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
import { printCounts, startCountingProxy } from './countingProxy.ts';

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

async function runTemplate(name: string) {
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
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
        retentionHours: 24,
        encryption: 'NONE',
      },
    }),
  });
  if (created.status !== 201) {
    throw new Error(
      `task not created: ${created.status} ${await created.text()}`,
    );
  }
  const { id } = (await created.json()) as { id: string };
  for (;;) {
    const events = (await (
      await fetch(`${baseUrl}/api/scaffolder/v2/tasks/${id}/events`, {
        headers,
      })
    ).json()) as Array<{ type: string; body: any }>;
    const done = events.find(e => e.type === 'completion');
    if (done) {
      if (!done.body.output?.roleArn) {
        throw new Error(`task failed: ${JSON.stringify(events.slice(-3))}`);
      }
      return performance.now() - started;
    }
    await new Promise(r => setTimeout(r, 50));
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

async function main() {
  const proxy = await startCountingProxy(moto!);
  console.log(
    `Starting the Backstage backend on ${baseUrl} (AWS through a counting proxy in front of ${moto})`,
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
    },
  });
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

    const name = `bench-${randomBytes(3).toString('hex')}`;
    proxy.reset();
    const first = await runTemplate(name);
    const firstCounts = new Map(
      proxy.counts().get('backstage-meter-siem-scaffolder'),
    );
    proxy.reset();
    const again = await runTemplate(name);
    const againCounts = new Map(
      proxy.counts().get('backstage-meter-siem-scaffolder'),
    );

    proxy.reset();
    const bare = await bareScript(`${name}-bare`, proxy.url);
    const bareCounts = proxy.counts().get('backstage-meter-siem-bare');

    const ours = printCounts(
      'Template run through the Backstage scaffolder (first run)',
      firstCounts,
    );
    const oursAgain = printCounts(
      'Same run again (converges on the same resources)',
      againCounts,
    );
    const bareTotal = printCounts(
      'Bare SDK script (create calls only, no checks)',
      bareCounts,
    );
    console.log(
      '\nWall time (task creation to completion / script start to end):',
    );
    console.log(`  template run, first   ${first.toFixed(0).padStart(6)} ms`);
    console.log(`  template run, again   ${again.toFixed(0).padStart(6)} ms`);
    console.log(`  bare SDK script       ${bare.toFixed(0).padStart(6)} ms`);
    console.log(
      `\nRatio template/bare: ${(ours / bareTotal).toFixed(2)}x AWS calls, ${(
        first / bare
      ).toFixed(2)}x wall time (again: ${oursAgain} calls)`,
    );
  } finally {
    try {
      process.kill(-backend.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await proxy.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
