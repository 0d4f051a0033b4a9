// Checks for scripts/image-layout-test.sh and e2e-replicas/run.sh, over HTTP
// (and, for drop-dbs, PostgreSQL). Each check prints one line, PASS or FAIL;
// RESULT_FILE (JSON: passed, failed, checks, timings) is written at the end.
//
//   node e2e-replicas/check.mjs drop-dbs PREFIX   drop the databases named PREFIX*
//   node e2e-replicas/check.mjs image             the production layout (BASE_URL)
//   node e2e-replicas/check.mjs replicas          two replicas (URL_A, URL_B)
//
// Environment: POSTGRES_HOST/PORT/USER/PASSWORD (drop-dbs); BASE_URL,
// STATIC_TOKEN, EXAMPLES=1 when app-config.examples.yaml is loaded (image);
// URL_A, URL_B, STATIC_TOKEN, USER_TOKEN (a user token of jane.doe), LOG_A,
// LOG_B (the replicas' logs), TASKS (default 3), OBSERVE_SECONDS (default 40),
// VISIBLE_WITHIN_MS (default 10000), PID_A (when set, A is stopped at the end
// and B must take over tasks and syncs) (replicas); RESULT_FILE.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const sleep = ms => new Promise(r => setTimeout(r, ms));

// ------------------------------------------------------------ results
const checks = [];
const timings = {};
function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return !!ok;
}
function timing(name, ms) {
  timings[name] = Math.round(ms);
  console.log(`time ${name}: ${(ms / 1000).toFixed(1)} s`);
}
function finish() {
  const passed = checks.filter(c => c.ok).length;
  const failed = checks.length - passed;
  if (env.RESULT_FILE) {
    writeFileSync(
      env.RESULT_FILE,
      `${JSON.stringify({ passed, failed, checks, timings }, null, 2)}\n`,
    );
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

// ------------------------------------------------------------ HTTP
async function http(
  url,
  { token, method = 'GET', body, timeout = 15000 } = {},
) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Polls fn until it returns a truthy value or the time is up (then undefined). */
async function until(fn, { timeoutMs, everyMs = 250 }) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) return undefined;
    await sleep(everyMs);
  }
}

// Every template of templates/ (the catalog registers them by one glob).
const TEMPLATES = [
  'meter-siem-integration',
  'meter-siem-fix-ownership-tags',
  'meter-siem-verify-delivery',
  'meter-siem-alarm',
  'meter-siem-update',
  'meter-siem-rotate-external-id',
  'meter-siem-decommission',
];

async function templateNames(base, token) {
  const r = await http(`${base}/api/catalog/entities?filter=kind=template`, {
    token,
  });
  if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  return r.json.map(e => e.metadata.name).sort();
}

// ------------------------------------------------------------ drop-dbs
async function dropDbs(prefix) {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix ?? '')) {
    throw new Error(`bad prefix '${prefix}'`);
  }
  const require = createRequire(resolve(ROOT, 'package.json'));
  const { Client } = require('pg');
  const client = new Client({
    host: env.POSTGRES_HOST,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_USER,
    password: env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    console.log(`dropped ${rows.length} databases named ${prefix}*`);
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------ image
async function image() {
  const base = env.BASE_URL;
  const token = env.STATIC_TOKEN;
  const examples = env.EXAMPLES === '1';

  const ready = await http(`${base}/.backstage/health/v1/readiness`);
  check('backend ready', ready.status === 200, `HTTP ${ready.status}`);

  const page = await http(`${base}/`);
  const type = page.headers.get('content-type') ?? '';
  const script = page.text.match(
    /<script[^>]*src="(\/static\/[^"]+\.js)"/,
  )?.[1];
  check(
    'serves the app (index.html)',
    page.status === 200 &&
      type.includes('text/html') &&
      page.text.includes('<title>Meter SIEM on Backstage</title>') &&
      !!script,
    `HTTP ${page.status}, ${type}, script ${script ?? 'none'}`,
  );
  if (script) {
    const js = await http(`${base}${script}`);
    check(
      "serves the app's scripts",
      js.status === 200 &&
        (js.headers.get('content-type') ?? '').includes('javascript'),
      `${script}: HTTP ${js.status}`,
    );
  }

  const anon = await http(`${base}/api/catalog/entities?limit=1`);
  check(
    'catalog refuses anonymous requests',
    anon.status === 401,
    `HTTP ${anon.status}`,
  );
  const guest = await http(`${base}/api/auth/guest/refresh`);
  check('no guest sign-in', guest.status === 404, `HTTP ${guest.status}`);

  const t0 = Date.now();
  const names = await until(
    async () => {
      const n = await templateNames(base, token);
      return TEMPLATES.every(t => n.includes(t)) ? n : undefined;
    },
    { timeoutMs: 120_000, everyMs: 500 },
  );
  timing('templates in the catalog after ready', Date.now() - t0);
  check(
    'catalog has every template',
    !!names,
    names ? names.join(', ') : `still missing after 120 s`,
  );

  const users = await http(`${base}/api/catalog/entities?filter=kind=user`, {
    token,
  });
  const userNames = (users.json ?? []).map(e => e.metadata.name);
  if (examples) {
    check(
      'examples loaded (app-config.examples.yaml)',
      userNames.includes('jane.doe'),
      `users: ${userNames.join(', ') || 'none'}`,
    );
  } else {
    check(
      'no example organisation by default',
      users.status === 200 && userNames.length === 0,
      `HTTP ${users.status}, users: ${userNames.join(', ') || 'none'}`,
    );
  }
}

// ------------------------------------------------------------ replicas
const SYNC_TASK = 'MeterSiemEntityProvider:main:refresh';

/** Samples both replicas' scheduler state of the sync every ~100 ms. */
function startSampler(replicas, token) {
  const samples = []; // { t, states: { A: 'running'|'idle'|'?', B: ... } }
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const t = Date.now();
      const states = {};
      await Promise.all(
        Object.entries(replicas).map(async ([name, base]) => {
          try {
            const r = await http(
              `${base}/api/catalog/.backstage/scheduler/v1/tasks`,
              { token, timeout: 2000 },
            );
            const task = r.json?.tasks?.find(x => x.taskId === SYNC_TASK);
            states[name] = task?.workerState?.status ?? '?';
          } catch {
            states[name] = '?';
          }
        }),
      );
      samples.push({ t, states });
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
  })();
  return {
    samples,
    async stop() {
      stop = true;
      await done;
    },
  };
}

/** Runs of consecutive 'running' samples per replica: [{ from, to, n }] */
function runsOf(samples, name) {
  const runs = [];
  let cur;
  for (const s of samples) {
    if (s.states[name] === 'running') {
      if (!cur) {
        cur = { from: s.t, to: s.t, n: 0 };
        runs.push(cur);
      }
      cur.to = s.t;
      cur.n++;
    } else if (s.states[name] === 'idle') {
      cur = undefined;
    }
  }
  return runs;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** "Synced N entities" lines of a backend log: [{ t, line }] */
function syncLines(file) {
  const out = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(ANSI, '');
    if (!/Synced \d+ entities of Meter SIEM integrations/.test(line)) continue;
    let t;
    if (line.startsWith('{')) {
      try {
        t = Date.parse(JSON.parse(line).timestamp);
      } catch {
        // not JSON after all
      }
    }
    t ??= Date.parse(line.match(/^\S+/)?.[0] ?? '');
    if (!Number.isNaN(t)) out.push({ t, line: line.slice(0, 160) });
  }
  return out;
}

/** Lines of a backend log where the scaffolder audits the execution of a task:
 *  written by the replica whose worker runs it (not by the one that served an
 *  API request about it). */
function executionLines(file, taskId) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(l => l.includes('"actionType":"execution"') && l.includes(taskId))
    .length;
}

const iso = t => new Date(t).toISOString().slice(11, 23);

const TEMPLATE_STEPS = [
  'stream',
  'policy',
  'role',
  'alarm',
  'settings',
  'register',
];

/** Creates one task per name through `via` and waits for each to end. */
async function runTasks({ via, readVia, label, names, user }) {
  const created = await Promise.all(
    names.map(name =>
      http(`${via}/api/scaffolder/v2/tasks`, {
        token: user,
        method: 'POST',
        body: {
          templateRef: 'template:default/meter-siem-integration',
          values: {
            name,
            owner: 'group:default/security',
            environment: 'development',
            region: 'us-east-1',
            capacityMode: 'PROVISIONED',
            shardCount: 1,
            retentionHours: 24,
            encryption: 'NONE',
          },
        },
      }),
    ),
  );
  const ids = created.map(r => r.json?.id);
  check(
    `${names.length} task(s) created through replica ${label}`,
    ids.every(Boolean),
    created.map(r => `HTTP ${r.status}`).join(', '),
  );
  return Promise.all(
    ids.map(async (id, i) => {
      if (!id) return { name: names[i], events: [] };
      const t0 = Date.now();
      const task = await until(
        async () => {
          const r = await http(`${via}/api/scaffolder/v2/tasks/${id}`, {
            token: user,
          });
          return ['completed', 'failed', 'cancelled'].includes(r.json?.status)
            ? r.json
            : undefined;
        },
        { timeoutMs: 180_000, everyMs: 250 },
      );
      const seenDoneAt = Date.now();
      const ev = await http(`${readVia}/api/scaffolder/v2/tasks/${id}/events`, {
        token: user,
      });
      return {
        id,
        name: names[i],
        task,
        events: ev.json ?? [],
        t0,
        seenDoneAt,
      };
    }),
  );
}

/** (a) each task completed, and ran once: on one replica, each step begun once. */
function checkRanOnce(results, { expectOn } = {}) {
  for (const r of results) {
    if (!r.id) continue;
    const status = r.task?.status ?? 'timeout';
    const begun = {};
    for (const e of r.events) {
      const m =
        e.type === 'log' && e.body?.message?.match(/^Beginning step (.*)$/);
      if (m) {
        const step = e.body.stepId ?? m[1];
        begun[step] = (begun[step] ?? 0) + 1;
      }
    }
    const completions = r.events.filter(e => e.type === 'completion');
    const inA = executionLines(env.LOG_A, r.id);
    const inB = executionLines(env.LOG_B, r.id);
    const ranOn =
      inA && !inB ? 'A' : inB && !inA ? 'B' : inA && inB ? 'A and B' : '?';
    r.ranOn = ranOn;
    check(
      `task ${r.name} completed`,
      status === 'completed',
      `${status}${
        status === 'failed'
          ? `: ${JSON.stringify(
              completions.at(-1)?.body?.error ??
                completions.at(-1)?.body?.message ??
                '',
            ).slice(0, 300)}`
          : ''
      }`,
    );
    const once =
      TEMPLATE_STEPS.every(step => begun[step] === 1) &&
      Object.values(begun).every(n => n === 1) &&
      completions.length === 1 &&
      ranOn.length === 1 &&
      (!expectOn || ranOn === expectOn);
    check(
      `task ${r.name} ran once${expectOn ? `, on replica ${expectOn}` : ''}`,
      once,
      `steps begun ${JSON.stringify(begun)}, ${
        completions.length
      } completion event(s); execution audit lines: A ${inA}, B ${inB} (ran on ${ranOn})`,
    );
    timing(`task ${r.name} run`, r.seenDoneAt - r.t0);
  }
}

function entityPath(results, r) {
  const ref = r.events.find(e => e.type === 'completion')?.body?.output
    ?.entityRef;
  if (!ref) return undefined;
  const [kind, rest] = ref.split(':');
  const [ns, name] = rest.split('/');
  return { ref, path: `/api/catalog/entities/by-name/${kind}/${ns}/${name}` };
}

/** (c) each new integration is in the catalog via `base` within `within` ms. */
async function checkVisible(results, { base, label, token, within }) {
  for (const r of results) {
    if (!r.id) continue;
    const e = entityPath(results, r);
    if (!e) {
      check(
        `integration ${r.name} visible via replica ${label}`,
        false,
        'no entityRef in the task output',
      );
      continue;
    }
    const completion = r.events.find(x => x.type === 'completion');
    const doneAt = Date.parse(completion.createdAt);
    const from = Number.isNaN(doneAt) ? r.seenDoneAt : doneAt;
    const seen = await until(
      async () =>
        (await http(`${base}${e.path}`, { token })).status === 200 &&
        Date.now(),
      { timeoutMs: within + 20_000, everyMs: 100 },
    );
    const lag = seen ? seen - from : undefined;
    check(
      `integration ${r.name} visible via replica ${label} within ${
        within / 1000
      } s`,
      seen && lag <= within,
      seen
        ? `${e.ref} after ${(lag / 1000).toFixed(
            1,
          )} s from the task's completion`
        : `${e.ref} not there after ${(within + 20_000) / 1000} s`,
    );
    if (lag !== undefined) timing(`catalog lag ${r.name} via ${label}`, lag);
  }
}

async function replicas() {
  const A = env.URL_A;
  const B = env.URL_B;
  const token = env.STATIC_TOKEN;
  const user = env.USER_TOKEN;
  const nTasks = Number(env.TASKS || 3);
  const observeMs = Number(env.OBSERVE_SECONDS || 40) * 1000;
  const within = Number(env.VISIBLE_WITHIN_MS || 10000);
  const tStart = Date.now();
  const stamp = Date.now().toString(36);

  const sampler = startSampler({ A, B }, token);

  // Both replicas read one catalog.
  const both = await until(
    async () => {
      const [a, b] = await Promise.all([
        templateNames(A, token),
        templateNames(B, token),
      ]);
      return TEMPLATES.every(t => a.includes(t) && b.includes(t));
    },
    { timeoutMs: 90_000, everyMs: 500 },
  );
  check('both replicas list every template', both);

  // (a) tasks created through A run exactly once (their events read through B).
  const names = Array.from({ length: nTasks }, (_, i) => `rep-${stamp}-${i}`);
  const results = await runTasks({
    via: A,
    readVia: B,
    label: 'A',
    names,
    user,
  });
  checkRanOnce(results);
  // (c) and are in the catalog via B within 10 s.
  await checkVisible(results, { base: B, label: 'B', token, within });

  // (b) the scheduled sync: one replica at a time.
  const left = observeMs - (Date.now() - tStart);
  if (left > 0) await sleep(left);
  const tKill = Date.now();

  // Fail-over: A stops; B takes over the syncs and runs new tasks.
  const failover = !!env.PID_A;
  let failoverResults = [];
  if (failover) {
    console.log(`stopping replica A (SIGTERM to process group ${env.PID_A})`);
    try {
      process.kill(-Number(env.PID_A), 'SIGTERM');
    } catch {
      process.kill(Number(env.PID_A), 'SIGTERM');
    }
    const gone = await until(
      async () => {
        try {
          await http(`${A}/.backstage/health/v1/readiness`, { timeout: 1000 });
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 30_000, everyMs: 200 },
    );
    check('replica A stopped', !!gone);
    failoverResults = await runTasks({
      via: B,
      readVia: B,
      label: 'B (A stopped)',
      names: [`rep-${stamp}-b`],
      user,
    });
    checkRanOnce(failoverResults, { expectOn: 'B' });
    await checkVisible(failoverResults, { base: B, label: 'B', token, within });
    await sleep(Math.max(0, 12_000 - (Date.now() - tKill)));
  }

  await sampler.stop();
  const samples = sampler.samples;
  const bothRunning = samples.filter(
    s => s.states.A === 'running' && s.states.B === 'running',
  );
  const runsA = runsOf(samples, 'A');
  const runsB = runsOf(samples, 'B');
  const syncA = syncLines(env.LOG_A).filter(s => s.t >= tStart);
  const syncB = syncLines(env.LOG_B).filter(s => s.t >= tStart);
  const before = samples.filter(s => s.t < tKill);
  const unknown = before.filter(
    s => s.states.A === '?' || s.states.B === '?',
  ).length;
  const spans = runs =>
    runs.map(r => `${iso(r.from)}-${iso(r.to)}`).join(' ') || 'never';
  console.log(
    `sampled the sync's worker state ${
      samples.length
    } times (${unknown} unanswered before A stopped); running on A: ${spans(
      runsA,
    )}; on B: ${spans(runsB)}`,
  );
  console.log(
    `"Synced" log lines: A at ${
      syncA.map(s => iso(s.t)).join(' ') || 'none'
    }; B at ${syncB.map(s => iso(s.t)).join(' ') || 'none'}${
      failover ? `; A stopped at ${iso(tKill)}` : ''
    }`,
  );
  check(
    'scheduled sync never running on both replicas at once',
    bothRunning.length === 0 &&
      before.length > 50 &&
      unknown < before.length / 10,
    `${bothRunning.length} of ${samples.length} samples had both running${
      bothRunning.length ? ` (first at ${iso(bothRunning[0].t)})` : ''
    }`,
  );
  const all = [
    ...syncA.map(x => ({ ...x, r: 'A' })),
    ...syncB.map(x => ({ ...x, r: 'B' })),
  ].sort((x, y) => x.t - y.t);
  const whileBoth = all.filter(x => x.t < tKill);
  check(
    'scheduled sync ran repeatedly, once per period, while both replicas ran',
    whileBoth.length >= 3,
    `${whileBoth.length} syncs (${
      whileBoth.filter(x => x.r === 'A').length
    } on A, ${whileBoth.filter(x => x.r === 'B').length} on B) in ${(
      (tKill - tStart) /
      1000
    ).toFixed(0)} s`,
  );
  // Each "Synced" line (the end of a run) must fall in a sampled run of the
  // same replica, give or take one sampling period, and in none of the other's.
  const slack = 400;
  const inRuns = (runs, t) =>
    runs.some(r => t >= r.from - slack && t <= r.to + slack);
  const stray = all.filter(
    x =>
      inRuns(x.r === 'A' ? runsB : runsA, x.t) &&
      !inRuns(x.r === 'A' ? runsA : runsB, x.t),
  );
  check(
    "each sync's end falls in a run of its own replica, not the other's",
    stray.length === 0,
    stray.length
      ? stray.map(x => `${x.r} ${iso(x.t)}`).join(', ')
      : `${all.length} syncs checked`,
  );
  if (failover) {
    const afterB = syncB.filter(x => x.t > tKill);
    check(
      'replica B took over the scheduled sync once A stopped',
      afterB.length >= 1,
      `${afterB.length} syncs on B after ${iso(tKill)}${
        afterB.length ? ` (first at ${iso(afterB[0].t)})` : ''
      }`,
    );
  }

  // After further syncs the integrations are still there (a full sync keeps
  // them: they are in AWS).
  for (const r of [...results, ...failoverResults]) {
    const e = r.id && entityPath(results, r);
    if (!e) continue;
    const res = await http(`${B}${e.path}`, { token });
    check(
      `integration ${r.name} still in the catalog after the syncs`,
      res.status === 200,
      `via B: HTTP ${res.status}`,
    );
  }
}

// ------------------------------------------------------------ main
const [cmd, arg] = process.argv.slice(2);
try {
  if (cmd === 'drop-dbs') {
    await dropDbs(arg);
    process.exit(0);
  } else if (cmd === 'image') {
    await image();
  } else if (cmd === 'replicas') {
    await replicas();
  } else {
    console.error('usage: check.mjs drop-dbs PREFIX | image | replicas');
    process.exit(2);
  }
} catch (error) {
  check('checker ran to the end', false, String(error?.stack ?? error));
}
finish();
