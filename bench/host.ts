/**
 * Benchmark of issue 11, the cost to the host: what adding the Meter SIEM
 * plugins costs a Backstage that runs them, measured side by side in one run
 * against the same app without them.
 *
 * - The app's JavaScript: the production build of packages/app, gzip of
 *   every .js file it emits, with our frontend plugin and without it (the
 *   same build with `app.packages.exclude` naming it: the app discovers its
 *   plugins from its dependencies, so nothing else changes).
 * - The backend: start-up time (process spawn to a 200 from the readiness
 *   endpoint) and resident memory (VmRSS of the backend's node process)
 *   once ready, each the median of a few starts, alternating; the backend
 *   without our plugins is packages/backend/src/index.ts with our modules'
 *   lines left out (and an allow-all permission policy in place of ours).
 * - Resident memory after a sync of N integrations (default 5,000) by our
 *   catalog provider (on its default schedule), sampled for a while after
 *   the catalog holds them all, beside the backend without our plugins over
 *   the same window after the same wall time. BENCH_HOST_DB=postgres runs
 *   both on PostgreSQL, as production does; by default the app's SQLite in
 *   memory holds the catalog inside the backend's process. Beside it, the
 *   backend without our plugins whose catalog holds the same entities (from
 *   files), and, for both, what they retain once a full garbage collection
 *   has been forced through the inspector (RSS and V8's heap in use).
 *
 * Run with ./bench/run.sh host [integrations] (it starts moto).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import YAML from 'yaml';
import { pool } from './pool.ts';

const moto = process.env.AWS_ENDPOINT_URL;
if (!moto) {
  throw new Error('AWS_ENDPOINT_URL (moto) is not set; use bench/run.sh');
}
const INTEGRATIONS = Number(process.argv[2] ?? 5000);
const STARTS = Number(process.env.BENCH_HOST_STARTS ?? 3);
/**
 * Phases to leave out, comma-separated: `js` (the app builds), `starts`
 * (from source), `prod-starts` (built, in the image's layout), `memory`
 * (after a sync), `without-sync` (the other backends after the sync).
 */
const SKIP = new Set((process.env.BENCH_HOST_SKIP ?? '').split(','));
/**
 * `postgres` to run the backends on PostgreSQL (bench/run.sh starts one; each
 * backend start gets databases of its own), else the app's SQLite in memory.
 */
const DB = process.env.BENCH_HOST_DB ?? 'sqlite';
let databases = 0;
/** When set, a heap snapshot of our backend after the sync, in this directory. */
const HEAP_DIR =
  process.env.BENCH_HOST_HEAP_DIR &&
  // Absolute: the backend runs in packages/backend.
  path.resolve(process.env.BENCH_HOST_HEAP_DIR);
/** How long memory is sampled once the catalog holds every integration. */
const SETTLE_MS = Number(process.env.BENCH_HOST_SETTLE_S ?? 120) * 1000;
const CONCURRENCY = 16;
const REGION = 'us-east-1';
const OUR_FRONTEND = '@internal/backstage-plugin-meter-siem';
const root = path.resolve(import.meta.dirname, '..');
const backendDir = path.join(root, 'packages/backend');
const runDir = path.join(root, '.run');
const port = Number(process.env.BENCH_BACKEND_PORT ?? 7117);
const baseUrl = `http://localhost:${port}`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
/** A difference in MB with its sign: +12.0 MB, −3.5 MB. */
const signedMb = (bytes: number) =>
  `${bytes < 0 ? '−' : '+'}${mb(Math.abs(bytes))}`;
const percent = (ours: number, without: number) =>
  `${(((ours - without) / without) * 100).toFixed(1)}%`;

/** The app's JavaScript, gzip -6, summed over every emitted .js file. */
interface JsSize {
  files: number;
  gzip: number;
  raw: number;
}

function appJavaScript(extraEnv: Record<string, string>): JsSize {
  const built = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error('yarn workspace app build failed');
  const dist = path.join(root, 'packages/app/dist');
  let files = 0;
  let gzip = 0;
  let raw = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js')) {
        const content = fs.readFileSync(file);
        files += 1;
        raw += content.length;
        gzip += gzipSync(content, { level: 6 }).length;
      }
    }
  };
  walk(dist);
  return { files, gzip, raw };
}

/** An allow-all permission policy, in place of ours (the permission backend needs one). */
const ALLOW_ALL = `
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
backend.add(
  createBackendModule({
    pluginId: 'permission',
    moduleId: 'bench-allow-all',
    register(reg) {
      reg.registerInit({
        deps: { policy: policyExtensionPoint },
        async init({ policy }) {
          policy.setPolicy({
            handle: async () => ({ result: AuthorizeResult.ALLOW }),
          });
        },
      });
    },
  }),
);
`;

/**
 * packages/backend/src/index.ts without our plugins: every `backend.add`
 * of an `@internal/…meter-siem…` module is left out, and an allow-all
 * permission policy takes the place of ours (the permission backend needs
 * one). Written beside the original, so that its imports resolve the same.
 */
function backendWithoutOurs(): string {
  const source = fs.readFileSync(path.join(backendDir, 'src/index.ts'), 'utf8');
  const kept = source.replace(
    /backend\.add\(\s*import\('@internal\/[^']*meter-siem[^']*'\),?\s*\);\n/g,
    '',
  );
  if (kept === source || kept.includes('meter-siem')) {
    throw new Error(
      'could not leave our modules out of packages/backend/src/index.ts',
    );
  }
  const file = path.join(backendDir, 'src/index.bench-without-meter-siem.ts');
  fs.writeFileSync(
    file,
    kept.replace('backend.start()', `${ALLOW_ALL}\nbackend.start()`),
  );
  return file;
}

/** Asks the backend for a heap snapshot (SIGUSR2) and waits until written. */
async function heapSnapshot(started: Started, dir: string) {
  const before = new Set(fs.readdirSync(dir));
  process.kill(started.child.pid!, 'SIGUSR2');
  let last = -1;
  const since = performance.now();
  for (;;) {
    if (performance.now() - since > 10 * 60_000) {
      throw new Error(`no heap snapshot in ${dir} after 10 minutes`);
    }
    await new Promise(resolve => setTimeout(resolve, 2_000));
    const file = fs
      .readdirSync(dir)
      .find(name => name.endsWith('.heapsnapshot') && !before.has(name));
    if (!file) continue;
    const size = fs.statSync(path.join(dir, file)).size;
    if (size > 0 && size === last) {
      console.log(`  heap snapshot: ${path.join(dir, file)} (${mb(size)})`);
      return;
    }
    last = size;
  }
}

/** A config file giving the next backend start databases of its own. */
function freshDatabases(): string {
  databases += 1;
  const file = path.join(runDir, `bench-host-db-${databases}.yaml`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      backend: {
        database: { prefix: `bench_host_${process.pid}_${databases}_` },
      },
    }),
  );
  return file;
}

interface Started {
  child: ChildProcess;
  startMs: number;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
}

/** How a backend is started: its directory, node's arguments, extra env. */
interface Launch {
  cwd: string;
  args: string[];
  env?: Record<string, string>;
}

/** The backend from source, as `yarn start` runs it. */
function devLaunch(
  entry: string,
  config: string,
  nodeArgs: string[] = [],
  moreConfig: string[] = [],
) {
  return {
    cwd: backendDir,
    args: [
      ...nodeArgs,
      '--require',
      createRequire(import.meta.url).resolve(
        '@backstage/cli-node/config/nodeTransform.cjs',
      ),
      entry,
      '--config',
      '../../app-config.yaml',
      '--config',
      config,
      ...moreConfig.flatMap(file => ['--config', file]),
      ...(DB === 'postgres'
        ? [
            '--config',
            '../../app-config.postgres.yaml',
            '--config',
            freshDatabases(),
          ]
        : []),
    ],
  };
}

/**
 * The built backend in the image's layout (scripts/image-layout-test.sh),
 * as the image's CMD runs it: production config, on PostgreSQL.
 */
function prodLaunch(layout: string, entry: string, config: string): Launch {
  // The production config says `listen: ':7007'`: the port goes the same way.
  const { backend, ...rest } = JSON.parse(fs.readFileSync(config, 'utf8'));
  const { listen: _listen, ...backendRest } = backend;
  const prodConfig = path.join(runDir, 'bench-host-prod.yaml');
  fs.writeFileSync(
    prodConfig,
    JSON.stringify({ ...rest, backend: backendRest }),
  );
  return {
    cwd: layout,
    args: [
      entry,
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      prodConfig,
      '--config',
      freshDatabases(),
    ],
    env: {
      APP_CONFIG_backend_listen: `:${port}`,
      NODE_ENV: 'production',
      AUTH_SESSION_SECRET: 'bench-host-session-secret',
      // The IdP is reached only at the first sign-in: an unreachable dummy.
      OIDC_METADATA_URL: 'http://127.0.0.1:9/.well-known/openid-configuration',
      OIDC_CLIENT_ID: 'backstage',
      OIDC_CLIENT_SECRET: 'bench-host',
    },
  };
}

async function startBackend(launch: Launch): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, launch.args, {
    cwd: launch.cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', ...launch.env },
  });
  let stderr = '';
  child.stderr!.on('data', chunk => {
    stderr = `${stderr}${chunk}`.slice(-4000);
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited ${child.exitCode}: ${stderr}`);
    }
    try {
      const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`backend not ready in 180 s: ${stderr}`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return {
    child,
    startMs: performance.now() - started,
    stderr: () => stderr,
  };
}

function rssOf(child: ChildProcess): number {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kib * 1024;
}

interface StartFigures {
  /** Spawn to ready, ms, each start. */
  starts: Record<'with' | 'without', number[]>;
  /** RSS a few seconds after ready, each start. */
  rss: Record<'with' | 'without', number[]>;
}

/** `STARTS` starts of each backend, alternating (printed as they end). */
async function measureStarts(
  launches: Record<'with' | 'without', () => Launch>,
): Promise<StartFigures> {
  const figures: StartFigures = {
    starts: { with: [], without: [] },
    rss: { with: [], without: [] },
  };
  for (let i = 0; i < STARTS; i++) {
    for (const variant of ['without', 'with'] as const) {
      const started = await startBackend(launches[variant]());
      figures.starts[variant].push(started.startMs);
      // Settled: what a process holds a few seconds after it is ready.
      await new Promise(resolve => setTimeout(resolve, 3_000));
      figures.rss[variant].push(rssOf(started.child));
      await stop(started);
      console.log(
        `  ${variant}: ready in ${started.startMs.toFixed(0)} ms, ${mb(
          figures.rss[variant][i],
        )}`,
      );
    }
  }
  return figures;
}

/** The image's layout, built and laid out by scripts/image-layout-test.sh. */
function imageLayout(): string {
  const pathFile = path.join(runDir, 'image-layout.path');
  fs.rmSync(pathFile, { force: true });
  const laidOut = spawnSync('bash', ['scripts/image-layout-test.sh'], {
    cwd: root,
    env: { ...process.env, IMAGE_TEST_LAYOUT_ONLY: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (laidOut.status !== 0 || !fs.existsSync(pathFile)) {
    throw new Error('scripts/image-layout-test.sh could not lay out the image');
  }
  return fs.readFileSync(pathFile, 'utf8').trim();
}

/**
 * The built backend (packages/backend/dist/index.cjs.js in the layout)
 * without our modules, as `backendWithoutOurs` makes it from the source.
 */
function builtBackendWithoutOurs(layout: string): string {
  const dist = path.join(layout, 'packages/backend/dist');
  const source = fs.readFileSync(path.join(dist, 'index.cjs.js'), 'utf8');
  const kept = source.replace(
    /backend\.add\(\s*import\('@internal\/[^']*meter-siem[^']*'\),?\s*\);\n/g,
    '',
  );
  if (kept === source || kept.includes('meter-siem')) {
    throw new Error('could not leave our modules out of the built backend');
  }
  const entry = 'packages/backend/dist/index.without-meter-siem.cjs.js';
  fs.writeFileSync(
    path.join(layout, entry),
    kept.replace(
      'backend.start()',
      `${ALLOW_ALL.replace(
        /^import \{ (.*) \} from '(.*)';$/gm,
        "const { $1 } = require('$2');",
      )}\nbackend.start()`,
    ),
  );
  return entry;
}

interface Settled {
  /** The median of the samples of the window's second half. */
  median: number;
  min: number;
  max: number;
}

/**
 * Resident memory over `SETTLE_MS` (sampled every 5 s): a process holds
 * more right after work than once the garbage collector has caught up, so
 * both backends are measured over the same window after the same time.
 */
async function settledRss(started: Started): Promise<Settled> {
  const samples: number[] = [];
  for (let t = 0; t <= SETTLE_MS; t += 5_000) {
    samples.push(rssOf(started.child));
    if (t < SETTLE_MS) await new Promise(resolve => setTimeout(resolve, 5_000));
  }
  return {
    median: median(samples.slice(Math.floor(samples.length / 2))),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

interface Retained {
  /** Resident memory after each forced full GC (MB figures use the least). */
  rss: number[];
  /** V8's heap in use after each: the live JavaScript objects then. */
  heapUsed: number[];
}

/** Forced full collections per backend, and the time between them. */
const GC_SAMPLES = Number(process.env.BENCH_HOST_GC_SAMPLES ?? 6);
const GC_GAP_MS = 10_000;

/**
 * What a backend retains: full garbage collections forced through the
 * inspector (SIGUSR1 opens it on 127.0.0.1:9229), GC_SAMPLES of them
 * GC_GAP_MS apart, each followed by its resident memory and V8's heap in
 * use. Resident memory between collections also holds garbage V8 has not
 * yet given back, and more of it the busier the process is; a collection
 * says how much is live. A collection that lands mid-sync or while the
 * catalog processes counts that work's objects as live too: the least of
 * the samples is the live set at rest, the median what is typical. Taken at
 * the end, as the inspector stays open. Undefined, with a word, when the
 * inspector cannot be reached.
 */
async function retained(started: Started): Promise<Retained | undefined> {
  const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
  process.kill(started.child.pid!, 'SIGUSR1');
  let target: { webSocketDebuggerUrl: string } | undefined;
  for (let i = 0; i < 50 && !target; i++) {
    try {
      [target] = await (await fetch('http://127.0.0.1:9229/json/list')).json();
    } catch {
      await sleep(200);
    }
  }
  if (!target) {
    console.log(
      '  (no inspector on 127.0.0.1:9229: retained memory not measured)',
    );
    return undefined;
  }
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (result: any) => void>();
  ws.addEventListener('message', event => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<any>(resolve => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  const kept: Retained = { rss: [], heapUsed: [] };
  try {
    for (let i = 0; i < GC_SAMPLES; i++) {
      if (i > 0) await sleep(GC_GAP_MS);
      await call('HeapProfiler.collectGarbage');
      await sleep(3_000);
      const { result } = await call('Runtime.evaluate', {
        expression: 'process.memoryUsage().heapUsed',
        returnByValue: true,
      });
      kept.rss.push(rssOf(started.child));
      kept.heapUsed.push(Number(result.value));
    }
    return kept;
  } finally {
    ws.close();
  }
}

async function stop(started: Started) {
  const exited = new Promise(resolve => started.child.once('exit', resolve));
  try {
    process.kill(-started.child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  await Promise.race([
    exited,
    new Promise(resolve => setTimeout(resolve, 10_000)),
  ]);
  try {
    process.kill(-started.child.pid!, 'SIGKILL');
  } catch {
    // gone
  }
}

/** N integrations in moto's default account, as the template makes them. */
async function seed(count: number) {
  const require = createRequire(import.meta.url);
  require('@backstage/cli/config/nodeTransform.cjs');
  const testing =
    require('../plugins/catalog-backend-module-meter-siem/src/__testUtils__/moto.ts') as typeof import('../plugins/catalog-backend-module-meter-siem/src/__testUtils__/moto.ts');
  const clients = await testing.seedClients('123456789012', REGION);
  await pool(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    async i => {
      const name = `meter-siem-host-${String(i).padStart(5, '0')}`;
      await testing.seedIntegration(clients, {
        region: REGION,
        streamName: name,
        roleName: name,
        policyName: `${name}-kinesis-write`,
        tags: {
          owner: `group:default/team-${i % 10}`,
          environment: 'production',
          'managed-by': 'backstage',
          'meter-siem-integration': name.slice('meter-siem-'.length),
        },
      });
    },
  );
}

/** The entity types our provider emits (four entities an integration). */
const OUR_TYPES = [
  'meter-siem-integration',
  'kinesis-stream',
  'aws-iam-role',
  'aws-iam-policy',
];
const OUR_FILTER = OUR_TYPES.map(
  type => `filter=kind=resource,spec.type=${type}`,
).join('&');

/** How many of the entities our provider emits the catalog holds. */
async function entityCount(token: string): Promise<number> {
  const res = await fetch(
    `${baseUrl}/api/catalog/entities/by-query?${OUR_FILTER}&limit=1`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  if (!res.ok) return -1;
  return ((await res.json()) as { totalItems: number }).totalItems;
}

/** Until the catalog holds all four entities of `integrations`. */
async function untilCatalogHolds(
  backend: Started,
  token: string,
  integrations: number,
  since: number,
) {
  const count = integrations * OUR_TYPES.length;
  for (;;) {
    if (backend.child.exitCode !== null) {
      throw new Error(
        `backend exited ${backend.child.exitCode}: ${backend.stderr()}`,
      );
    }
    const held = await entityCount(token).catch(() => -1);
    if (held >= count) return;
    if (performance.now() - since > 30 * 60_000) {
      throw new Error(
        `the catalog had ${held} of the ${count} entities of ${integrations} integrations after 30 minutes`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 2_000));
  }
}

/**
 * Reads every entity our provider put in the catalog and writes them as a
 * file location would hold them (without what the catalog adds), with a
 * config file that adds that location to the app's. Returns the config.
 */
async function entitiesAsFileLocation(token: string): Promise<string> {
  // Files of 200 entities: one file of 20,000 is more YAML than the
  // catalog's reader parses within its heap.
  const dir = path.join(runDir, 'bench-host-entities');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  let out = -1;
  let cursor: string | undefined;
  let count = 0;
  do {
    const query = cursor
      ? `cursor=${encodeURIComponent(cursor)}`
      : `${OUR_FILTER}&limit=1000`;
    const res = await fetch(
      `${baseUrl}/api/catalog/entities/by-query?${query}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (!res.ok) throw new Error(`catalog answered ${res.status}`);
    const page = (await res.json()) as {
      items: Array<Record<string, any>>;
      pageInfo: { nextCursor?: string };
    };
    for (const entity of page.items) {
      const { uid, etag, ...metadata } = entity.metadata;
      const annotations = { ...metadata.annotations };
      delete annotations['backstage.io/managed-by-location'];
      delete annotations['backstage.io/managed-by-origin-location'];
      const plain = {
        apiVersion: entity.apiVersion,
        kind: entity.kind,
        metadata: { ...metadata, annotations },
        spec: entity.spec,
      };
      if (count % 200 === 0) {
        if (out >= 0) fs.closeSync(out);
        out = fs.openSync(
          path.join(dir, `${String(count / 200).padStart(4, '0')}.yaml`),
          'w',
        );
      }
      fs.writeSync(out, `---\n${JSON.stringify(plain)}\n`);
      count += 1;
    }
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
  if (out >= 0) fs.closeSync(out);
  const appConfig = YAML.parse(
    fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
  );
  const config = path.join(runDir, 'bench-host-file-location.yaml');
  fs.writeFileSync(
    config,
    JSON.stringify({
      catalog: {
        // Lists replace each other across config files: the app's, and ours.
        locations: [
          ...appConfig.catalog.locations,
          {
            type: 'file',
            target: path.join(dir, '*.yaml'),
            rules: [{ allow: ['Resource'] }],
          },
        ],
      },
    }),
  );
  console.log(`  ${count} entities of ours written to ${dir}`);
  return config;
}

async function main() {
  fs.mkdirSync(runDir, { recursive: true });
  if (HEAP_DIR) fs.mkdirSync(HEAP_DIR, { recursive: true });
  const token = 'bench-host-token-0123456789abcdef';
  const config = path.join(runDir, 'bench-host.yaml');
  fs.writeFileSync(
    config,
    JSON.stringify({
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port },
        auth: {
          externalAccess: [
            { type: 'static', options: { token, subject: 'benchmark' } },
          ],
        },
      },
      // The search index of the catalog (the in-memory engine: some
      // 400 MB of live heap at 20,000 entities, whoever provides them) is
      // rebuilt every 10 minutes: whether a backend is measured before or
      // after its first rebuild over all the entities would decide the
      // figures. Held off for every backend alike, so all three are compared
      // with the catalog alone.
      search: {
        collators: {
          catalog: {
            schedule: {
              frequency: { hours: 24 },
              timeout: { minutes: 15 },
              initialDelay: { hours: 24 },
            },
          },
        },
      },
      catalog: {
        providers: {
          // The provider's default schedule (every minute), as hosts run it;
          // moto has no rate limits, so the first sync reads every stream
          // (at AWS's rates, 5,000 streams of one region take 20 minutes:
          // see bench/catalog.ts), and memory is measured in steady state.
          meterSiem: {
            regions: [REGION],
            apiRates: {
              perSecond: {
                'kinesis:ListTagsForStream': 500,
                'kinesis:DescribeStreamSummary': 500,
              },
            },
          },
        },
      },
    }),
  );

  let js: { with: JsSize; without: JsSize } | undefined;
  if (!SKIP.has('js')) {
    console.log('Building the app without our plugin, then with it …');
    // In this order, so that packages/app/dist is the usual build afterwards.
    const withoutJs = appJavaScript({
      APP_CONFIG_app_packages: JSON.stringify({ exclude: [OUR_FRONTEND] }),
    });
    const withJs = appJavaScript({});
    if (withoutJs.gzip >= withJs.gzip) {
      throw new Error(
        'the app without our plugin is no smaller: app.packages.exclude had no effect',
      );
    }
    js = { with: withJs, without: withoutJs };
    console.log(
      `  gzip: with ${kb(withJs.gzip)}, without ${kb(withoutJs.gzip)}`,
    );
  }

  const without = backendWithoutOurs();
  const withEntry = path.join(backendDir, 'src/index.ts');
  const startFigures: Array<{ label: string } & StartFigures> = [];
  let afterSync:
    | {
        with: Settled;
        without?: Settled;
        sameEntities?: { rss: Settled; ingestMs: number };
        syncMs: number;
        retained: Partial<Record<'with' | 'without' | 'same', Retained>>;
      }
    | undefined;
  try {
    if (!SKIP.has('starts')) {
      console.log(`Starting each backend from source ${STARTS} times …`);
      startFigures.push({
        label: `from source (yarn start; ${DB})`,
        ...(await measureStarts({
          with: () => devLaunch(withEntry, config),
          without: () => devLaunch(without, config),
        })),
      });
    }
    if (!SKIP.has('prod-starts')) {
      console.log(
        `Laying out the image (scripts/image-layout-test.sh), then starting each backend ${STARTS} times …`,
      );
      const layout = imageLayout();
      try {
        const builtWithout = builtBackendWithoutOurs(layout);
        startFigures.push({
          label: 'built, in the image (postgres)',
          ...(await measureStarts({
            with: () => prodLaunch(layout, 'packages/backend', config),
            without: () => prodLaunch(layout, builtWithout, config),
          })),
        });
      } finally {
        fs.rmSync(layout, { recursive: true, force: true });
      }
    }

    if (!SKIP.has('memory')) {
      console.log(`Seeding ${INTEGRATIONS} integrations in moto …`);
      const seededAt = performance.now();
      await seed(INTEGRATIONS);
      console.log(
        `  seeded in ${((performance.now() - seededAt) / 1000).toFixed(0)} s`,
      );
      const ours = await startBackend(
        devLaunch(
          withEntry,
          config,
          HEAP_DIR
            ? [`--diagnostic-dir=${HEAP_DIR}`, '--heapsnapshot-signal=SIGUSR2']
            : [],
        ),
      );
      const syncStarted = performance.now();
      try {
        await untilCatalogHolds(ours, token, INTEGRATIONS, syncStarted);
        const syncMs = performance.now() - syncStarted;
        const withRss = await settledRss(ours);
        if (HEAP_DIR) await heapSnapshot(ours, HEAP_DIR);
        const retainedWith = await retained(ours);
        const fileConfig = await entitiesAsFileLocation(token);
        await stop(ours);
        let withoutRss: Settled | undefined;
        let sameEntities: { rss: Settled; ingestMs: number } | undefined;
        let retainedSame: Retained | undefined;
        let retainedWithout: Retained | undefined;
        if (!SKIP.has('without-sync')) {
          const other = await startBackend(devLaunch(without, config));
          await new Promise(resolve => setTimeout(resolve, syncMs));
          withoutRss = await settledRss(other);
          retainedWithout = await retained(other);
          await stop(other);
          // The same backend, its catalog holding the same entities (from a
          // file): what the catalog costs for them, whoever provides them.
          const holding = await startBackend(
            devLaunch(without, config, [], [fileConfig]),
          );
          const ingestStarted = performance.now();
          try {
            await untilCatalogHolds(
              holding,
              token,
              INTEGRATIONS,
              ingestStarted,
            );
            const ingestMs = performance.now() - ingestStarted;
            // As long after start as ours was measured, then the same window.
            await new Promise(resolve =>
              setTimeout(resolve, Math.max(0, syncMs - ingestMs)),
            );
            sameEntities = { rss: await settledRss(holding), ingestMs };
            retainedSame = await retained(holding);
          } finally {
            await stop(holding);
          }
        }
        afterSync = {
          with: withRss,
          without: withoutRss,
          sameEntities,
          syncMs,
          retained: {
            with: retainedWith,
            without: retainedWithout,
            same: retainedSame,
          },
        };
      } finally {
        await stop(ours);
      }
    }
  } finally {
    fs.rmSync(without, { force: true });
  }

  const row = (label: string, ours: string, other: string, delta: string) =>
    console.log(
      `  ${label.padEnd(40)} ${ours.padStart(12)} ${other.padStart(
        12,
      )} ${delta.padStart(12)}`,
    );
  console.log(
    `\nCost to the host Backstage (${STARTS} starts each, median; database: ${DB}), with our plugins vs without:`,
  );
  row('', 'with', 'without', 'difference');
  if (js) {
    row(
      'app JavaScript, gzip',
      kb(js.with.gzip),
      kb(js.without.gzip),
      `+${kb(js.with.gzip - js.without.gzip)}`,
    );
    row(
      'app JavaScript, raw',
      kb(js.with.raw),
      kb(js.without.raw),
      `+${kb(js.with.raw - js.without.raw)}`,
    );
  }
  for (const { label, starts, rss } of startFigures) {
    const startWith = median(starts.with);
    const startWithout = median(starts.without);
    row(
      `start-up, ${label}`,
      `${startWith.toFixed(0)} ms`,
      `${startWithout.toFixed(0)} ms`,
      percent(startWith, startWithout),
    );
    row(
      '  memory after start (RSS)',
      mb(median(rss.with)),
      mb(median(rss.without)),
      `+${mb(median(rss.with) - median(rss.without))}`,
    );
  }
  if (afterSync) {
    const { with: ours, without: other } = afterSync;
    row(
      `backend memory after a ${INTEGRATIONS}-integration sync`,
      mb(ours.median),
      other ? mb(other.median) : '–',
      other ? `+${mb(ours.median - other.median)}` : '–',
    );
    const same = afterSync.sameEntities;
    if (same && other) {
      row(
        '  without, its catalog holding the same entities (file)',
        mb(ours.median),
        mb(same.rss.median),
        signedMb(ours.median - same.rss.median),
      );
      console.log(
        `  (our plugins' own cost: the last row; what the catalog costs for these entities, whoever provides them: ${mb(
          same.rss.median - other.median,
        )}; from the file in ${(same.ingestMs / 1000).toFixed(0)} s, RSS ${mb(
          same.rss.min,
        )}–${mb(same.rss.max)})`,
      );
    }
    const kept = afterSync.retained;
    for (const [indent, other] of [
      ['', kept.without],
      ['  ', kept.same],
    ] as const) {
      if (!kept.with || !other) continue;
      for (const [label, key] of [
        ['RSS', 'rss'],
        ['V8 heap in use', 'heapUsed'],
      ] as const) {
        for (const [which, pick] of [
          ['least', (v: number[]) => Math.min(...v)],
          ['median', median],
        ] as const) {
          const ours = pick(kept.with[key]);
          const theirs = pick(other[key]);
          row(
            `${indent}after forced GCs, ${which}: ${label}`,
            mb(ours),
            mb(theirs),
            signedMb(ours - theirs),
          );
        }
      }
    }
    if (kept.with) {
      console.log(
        `  (V8 heap in use after each of ${GC_SAMPLES} forced GCs, ${
          GC_GAP_MS / 1000
        } s apart: with ${kept.with.heapUsed.map(mb).join(', ')}${
          kept.same
            ? `; same entities ${kept.same.heapUsed.map(mb).join(', ')}`
            : ''
        }${
          kept.without
            ? `; without ${kept.without.heapUsed.map(mb).join(', ')}`
            : ''
        })`,
      );
    }
    console.log(
      `  (the sync: ${(afterSync.syncMs / 1000).toFixed(
        0,
      )} s from start until the catalog held all ${INTEGRATIONS} integrations' ${
        INTEGRATIONS * OUR_TYPES.length
      } entities; then RSS every 5 s for ${
        SETTLE_MS / 1000
      } s, median of the second half: with ${mb(ours.min)}–${mb(ours.max)}${
        other ? `, without ${mb(other.min)}–${mb(other.max)}` : ''
      })`,
    );
  }
  console.log(
    `\nGoals: ≤ 10% slower start (${
      startFigures
        .map(
          ({ label, starts }) =>
            `${label}: ${percent(median(starts.with), median(starts.without))}`,
        )
        .join('; ') || 'not measured'
    }), ≤ 50 MB more memory at ${INTEGRATIONS} integrations (${
      afterSync?.without
        ? `+${mb(afterSync.with.median - afterSync.without.median)}${
            afterSync.sameEntities
              ? `; beside the same entities from a file: ${signedMb(
                  afterSync.with.median - afterSync.sameEntities.rss.median,
                )}`
              : ''
          }${
            afterSync.retained.with && afterSync.retained.same
              ? `; live heap after forced GCs, least, beside the same entities: ${signedMb(
                  Math.min(...afterSync.retained.with.heapUsed) -
                    Math.min(...afterSync.retained.same.heapUsed),
                )}`
              : ''
          }`
        : 'not measured'
    }), ≤ 100 KB gzip more JavaScript (${
      js ? `+${kb(js.with.gzip - js.without.gzip)}` : 'not measured'
    }).`,
  );
  for (const { label, starts } of startFigures) {
    console.log(
      `Starts, ${label}: with ${starts.with
        .map(ms => ms.toFixed(0))
        .join(', ')} ms; without ${starts.without
        .map(ms => ms.toFixed(0))
        .join(', ')} ms`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
