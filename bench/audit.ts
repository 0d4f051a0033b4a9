/**
 * Benchmark of issue 4: the audit of 5,000 integrations. Starts a real
 * Backstage backend with the meter-siem plugin over an in-memory catalog of
 * 5,000 integration entities (20,000 entities with their streams, roles and
 * policies, and 50 groups), then times, as a service caller with a static
 * external access token: the full report as JSON and as CSV, and one
 * owner's view. Prints the median and the worst of several runs.
 *
 * Then the page: the same backend serves the app's production build
 * (packages/app/dist, built first when missing or older than the frontend's
 * sources), and Chromium (CHROMIUM_PATH, else /usr/bin/chromium) opens
 * /meter-siem/audit signed in as the guest, a member of team-7. Each cold
 * load has a new browser context with its HTTP cache cleared; it is timed
 * from navigation start to the first findings row on screen, and split with
 * the browser's resource timing of the findings request into what comes
 * before the request (loading and starting the app), the request, and the
 * rendering after its response. BENCH_PAGE=0 skips the page.
 *
 * Run with ./bench/run.sh audit (BENCH_INTEGRATIONS changes the count,
 * BENCH_RUNS the server runs, BENCH_PAGE_RUNS the page loads).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const port = Number(process.env.BENCH_BACKEND_PORT ?? 7117);
const token = randomBytes(24).toString('hex');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const root = path.resolve(import.meta.dirname, '..');
const pageRuns = Number(process.env.BENCH_PAGE_RUNS ?? 3);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Newest modification time of the files under `dir`, tests left out. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, {
    recursive: true,
    withFileTypes: true,
  })) {
    if (!entry.isFile() || /\.test\.tsx?$/.test(entry.name)) continue;
    latest = Math.max(
      latest,
      statSync(path.join(entry.parentPath, entry.name)).mtimeMs,
    );
  }
  return latest;
}

/**
 * Makes sure packages/app/dist holds a build of the current frontend;
 * returns why the page cannot be measured, or undefined.
 */
function prepareApp(): string | undefined {
  if (process.env.BENCH_PAGE === '0') return 'BENCH_PAGE=0';
  if (!existsSync(chromiumPath)) {
    return `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`;
  }
  const index = path.join(root, 'packages/app/dist/index.html');
  const sources = Math.max(
    ...[
      'packages/app/src',
      'packages/app/package.json',
      'plugins/meter-siem/src',
      'plugins/meter-siem-common/src',
    ].map(p => {
      const full = path.join(root, p);
      return full.endsWith('.json') ? statSync(full).mtimeMs : newest(full);
    }),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return undefined;
  console.error(
    `packages/app/dist is ${
      existsSync(index) ? 'older than the frontend sources' : 'missing'
    }: yarn workspace app build (about 40 s)`,
  );
  const build = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  return build.status === 0
    ? undefined
    : `yarn workspace app build failed (${build.status ?? build.error})`;
}

const pageSkipped = prepareApp();

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

const SEVERITY_LABELS = ['Critical', 'High', 'Medium', 'Low'];

interface PageSample {
  firstRow: number;
  requestStart: number;
  request: number;
  serverWait: number;
  render: number;
  requests: number;
  rows: number;
  total: string;
  rowTop: number;
}

/**
 * In the page before its scripts: notes when the first table row with a
 * severity in one of its cells is laid out, at the next animation frame.
 */
function firstRowProbe(labels: string[]) {
  const w = window as unknown as { __benchFirstRow?: number };
  const found = () =>
    Array.from(document.querySelectorAll('[role="row"]')).some(
      row =>
        row.getBoundingClientRect().height > 0 &&
        Array.from(row.children).some(cell =>
          labels.includes(cell.textContent?.trim() ?? ''),
        ),
    );
  const observer = new MutationObserver(() => {
    if (!found()) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      w.__benchFirstRow = performance.now();
    });
  });
  observer.observe(document, {
    childList: true,
    subtree: true,
    characterData: true,
  });
}

async function measurePage(): Promise<{
  version: string;
  samples: PageSample[];
}> {
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const samples: PageSample[] = [];
  try {
    for (let i = 0; i < pageRuns; i++) {
      const context = await browser.newContext({
        baseURL: `http://localhost:${port}`,
        viewport: { width: 1440, height: 900 },
      });
      try {
        const page = await context.newPage();
        await page.goto('/');
        await page.getByRole('button', { name: 'Enter' }).click();
        // Signed in once the sign-in page has gone; the app keeps the
        // provider and signs in again by itself on the next load.
        await page
          .getByRole('button', { name: 'Enter' })
          .waitFor({ state: 'detached', timeout: 60_000 });
        // Cold: the app's scripts come from the server again.
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.clearBrowserCache');
        await page.addInitScript(firstRowProbe, SEVERITY_LABELS);
        await page.goto('/meter-siem/audit', { waitUntil: 'commit' });
        const firstRow = (await (
          await page.waitForFunction(
            () =>
              (window as unknown as { __benchFirstRow?: number })
                .__benchFirstRow,
            undefined,
            { timeout: 120_000 },
          )
        ).jsonValue()) as number;
        const timing = await page.evaluate(() => {
          const findings = performance
            .getEntriesByType('resource')
            .filter(e =>
              e.name.includes('/api/meter-siem/findings'),
            ) as PerformanceResourceTiming[];
          const f = findings[0];
          return {
            requests: findings.length,
            startTime: f?.startTime ?? NaN,
            requestStart: f?.requestStart ?? NaN,
            responseStart: f?.responseStart ?? NaN,
            responseEnd: f?.responseEnd ?? NaN,
            rows: document.querySelectorAll('tbody [role="row"]').length,
            rowTop:
              document
                .querySelector('tbody [role="row"]')
                ?.getBoundingClientRect().top ?? NaN,
            total: document.body.innerText.match(/(\d+) findings?/)?.[1] ?? '?',
          };
        });
        samples.push({
          firstRow,
          requestStart: timing.startTime,
          request: timing.responseEnd - timing.startTime,
          serverWait: timing.responseStart - timing.requestStart,
          render: firstRow - timing.responseEnd,
          requests: timing.requests,
          rows: timing.rows,
          total: timing.total,
          rowTop: timing.rowTop,
        });
      } finally {
        await context.close();
      }
    }
    return { version: browser.version(), samples };
  } finally {
    await browser.close();
  }
}

function medianWorst(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    worst: sorted[sorted.length - 1],
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

  if (pageSkipped) {
    console.log(`\nAudit page: not measured, ${pageSkipped}.`);
  } else {
    let page: Awaited<ReturnType<typeof measurePage>> | undefined;
    try {
      page = await measurePage();
    } catch (e) {
      console.log(`\nAudit page: measurement failed: ${e}`);
      process.exitCode = 1;
    }
    if (page) {
      const { samples, version } = page;
      const last = samples[samples.length - 1];
      console.log(
        `\nAudit page /meter-siem/audit in Chromium ${version}, ${samples.length} cold loads (new context, HTTP cache cleared, guest of team-7 signed in); ms from navigation start:`,
      );
      console.log(
        `${'measure'.padEnd(40)} ${'median ms'.padStart(
          10,
        )} ${'worst ms'.padStart(9)}`,
      );
      const rows: [string, keyof PageSample][] = [
        ['first findings row laid out', 'firstRow'],
        ['  findings request sent at', 'requestStart'],
        ['  findings request (browser)', 'request'],
        ['    of which waiting for the server', 'serverWait'],
        ['  response to first row (rendering)', 'render'],
      ];
      for (const [label, key] of rows) {
        const { median, worst } = medianWorst(
          samples.map(sample => sample[key] as number),
        );
        console.log(
          `${label.padEnd(40)} ${median.toFixed(1).padStart(10)} ${worst
            .toFixed(1)
            .padStart(9)}`,
        );
      }
      console.log(
        `each load: ${samples
          .map(sample => sample.firstRow.toFixed(0))
          .join(', ')} ms; ${last.rows} rows on the first page of ${
          last.total
        } findings, the first at y = ${last.rowTop.toFixed(
          0,
        )} px of the 900 px viewport; findings requests per load: ${samples
          .map(sample => sample.requests)
          .join(', ')}`,
      );
    }
  }
} finally {
  server.kill();
}
