/**
 * Benchmark of issue 4: the audit of 5,000 integrations. Starts a real
 * Backstage backend with the meter-siem plugin over an in-memory catalog of
 * 5,000 integration entities (20,000 entities with their streams, roles and
 * policies, and 50 groups), then times, as a service caller with a static
 * external access token: the full report as JSON and as CSV, and one
 * owner's view. Prints the median and the worst of several runs.
 *
 * Run with ./bench/run.sh audit (BENCH_INTEGRATIONS changes the count).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const port = Number(process.env.BENCH_BACKEND_PORT ?? 7117);
const token = randomBytes(24).toString('hex');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const root = path.resolve(import.meta.dirname, '..');

const server = spawn(
  process.execPath,
  [
    '--require',
    path.join(root, 'node_modules/@backstage/cli/config/nodeTransform.cjs'),
    path.join(root, 'bench/audit/server.ts'),
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      BENCH_TOKEN: token,
      BENCH_BACKEND_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

const ready = new Promise<{ buildMs: number; entities: number }>(
  (resolve, reject) => {
    let out = '';
    server.stdout!.on('data', chunk => {
      out += chunk;
      const match = out.match(/READY (\d+) (\d+)/);
      if (match)
        resolve({ buildMs: Number(match[1]), entities: Number(match[2]) });
    });
    server.on('exit', code => reject(new Error(`server exited with ${code}`)));
  },
);

async function time(url: string, headers: Record<string, string> = {}) {
  const samples: number[] = [];
  let bytes = 0;
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(`http://localhost:${port}${url}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    const body = await res.text();
    samples.push(performance.now() - started);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${body}`);
    bytes = body.length;
    rows = res.headers.get('content-type')?.startsWith('text/csv')
      ? body.split('\r\n').length - 2
      : JSON.parse(body).findings.length;
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)],
    worst: samples[samples.length - 1],
    first: 0,
    bytes,
    rows,
  };
}

try {
  const { buildMs, entities } = await ready;
  const anonymous = await fetch(
    `http://localhost:${port}/api/meter-siem/findings`,
  );
  const results = {
    'full report, JSON': await time('/api/meter-siem/findings'),
    'full report, CSV': await time('/api/meter-siem/findings?format=csv'),
    "one owner's view (JSON)": await time(
      '/api/meter-siem/findings?owner=group:default/team-7',
    ),
    'one integration (entity page)': await time(
      '/api/meter-siem/findings?entityRef=resource:default/bench-41-100000000001',
    ),
  };
  console.log(
    `\nAudit of ${entities} catalog entities (${
      process.env.BENCH_INTEGRATIONS ?? 5000
    } integrations), built in ${buildMs} ms; ${runs} runs each, server time as seen by the client:`,
  );
  console.log(
    `${'request'.padEnd(32)} ${'median ms'.padStart(10)} ${'worst ms'.padStart(
      9,
    )} ${'findings'.padStart(9)} ${'bytes'.padStart(10)}`,
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(32)} ${r.median.toFixed(1).padStart(10)} ${r.worst
        .toFixed(1)
        .padStart(9)} ${String(r.rows).padStart(9)} ${String(r.bytes).padStart(
        10,
      )}`,
    );
  }
  console.log(`anonymous request: HTTP ${anonymous.status}`);
} finally {
  server.kill();
}
