/**
 * Benchmarks of the Meter SIEM catalog provider.
 *
 * Issue 11 (sync within the API budget): for 500 and 5,000 integrations
 * (streams in two regions, beside 1,500 other roles), syncs through the
 * fault proxy in front of moto with its `limits` set to AWS's published
 * rates (the simulator's AWS_RATE_LIMITS), which answers calls beyond them
 * with AWS's throttling error:
 *
 * - the first sync, from a cold cache (it reads what its 45 s read budget
 *   allows, the rest is "not read yet");
 * - the first full read: the syncs it takes until every stream was read;
 * - steady state: syncs a minute apart (a fake clock for the facts' ages,
 *   the rates' time is real) over a whole 15-minute cycle, with the age of
 *   the oldest fact each one commits.
 *
 * Each with its AWS calls by operation, its wall time, its throttled calls
 * (0 is the goal) and the floor the published rates put under those calls.
 * The 5,000 case's first full read and cycle take 10 to 14 minutes at real
 * rates; they run in a world ten times faster (every rate ×10, the read
 * budget, the schedule and the maximum age ÷10) where the dynamics are the
 * same, and print their times scaled back ×10.
 *
 * Issue 3: one full sync beside `@roadiehq/catalog-backend-module-aws`'s
 * AWSIAMRoleProvider on the 500-integration data (2,000 roles), counted by
 * a proxy in front of moto (no limits), with how many owners each gets
 * right.
 *
 * Run with ./bench/run.sh catalog (it starts moto and installs the peer into
 * .tools/bench-peers, outside the repository's dependencies).
 * BENCH_SIZES=500 runs one size only.
 *
 * How the provider's TypeScript source is loaded: Node's own type stripping
 * runs this file, but cannot load the workspace source, whose relative imports
 * have no extension (ERR_MODULE_NOT_FOUND, also with
 * --experimental-transform-types). So the source is required through
 * @backstage/cli's node transform (SWC through `pirates` and module hooks),
 * the very hook `backstage-cli package start` runs the backend with: no extra
 * dependency, no build step, same compilation as in development. It is
 * registered below, after the static imports of this file have loaded.
 */
import { createRequire } from 'node:module';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { type CallCounter, startCountingProxy } from './countingProxy.ts';
import { pool } from './pool.ts';

const moto = process.env.AWS_ENDPOINT_URL;
if (!moto)
  throw new Error('AWS_ENDPOINT_URL (moto) is not set; use bench/run.sh');

const OTHER_ROLES = 1500;
const SIZES = (process.env.BENCH_SIZES ?? '500,5000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const REGIONS = ['us-east-1', 'eu-west-1'];
const GROUPS = 10;
const CONCURRENCY = 16;
const FALLBACK_OWNER = 'group:default/unowned';
const PEER = '@roadiehq/catalog-backend-module-aws';
const PLUGIN = '../plugins/catalog-backend-module-meter-siem/src';
const NODE = '../plugins/meter-siem-node/src';
const CALLER = 'backstage-meter-siem-catalog';
const MINUTE = 60_000;
/** The provider's defaults. */
const MAX_AGE_MS = 15 * MINUTE;
const INTERVAL_MS = MINUTE;
const READ_BUDGET_MS = 45_000;
const FRACTION = 0.8;

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const { MeterSiemEntityProvider } =
  require(`${PLUGIN}/provider/MeterSiemEntityProvider.ts`) as typeof import('../plugins/catalog-backend-module-meter-siem/src/provider/MeterSiemEntityProvider.ts');
const testing =
  require(`${PLUGIN}/__testUtils__/moto.ts`) as typeof import('../plugins/catalog-backend-module-meter-siem/src/__testUtils__/moto.ts');
const { memoryCache } =
  require(`${PLUGIN}/provider/factsCache.ts`) as typeof import('../plugins/catalog-backend-module-meter-siem/src/provider/factsCache.ts');
const { startAwsFaultProxy, AWS_RATE_LIMITS } =
  require(`${NODE}/testUtils/awsFaultProxy.ts`) as typeof import('../plugins/meter-siem-node/src/testUtils/awsFaultProxy.ts');
const { AWS_CONTROL_PLANE_RATES, ASSUMED_IAM_RATES } =
  require(`${NODE}/awsRates.ts`) as typeof import('../plugins/meter-siem-node/src/awsRates.ts');
type AwsFaultProxy = Awaited<ReturnType<typeof startAwsFaultProxy>>;
type AwsCall = ReturnType<AwsFaultProxy['calls']>[number];

const root = path.resolve(import.meta.dirname, '..');
const peerRequire = createRequire(
  path.join(root, '.tools/bench-peers/package.json'),
);

/** Owner refs as the catalog reads `spec.owner`: kind Group, namespace default. */
function normalRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLowerCase();
}

function quietLogger(warnings: string[], infos: string[] = []) {
  const logger = {
    info(message: string) {
      infos.push(message);
    },
    debug() {},
    warn(message: string) {
      warnings.push(message);
    },
    error(message: string) {
      warnings.push(message);
    },
    child: () => logger,
  };
  return logger;
}

function fakeConnection() {
  const mutations: Array<{ type: string; entities?: { entity: Entity }[] }> =
    [];
  return {
    mutations,
    connection: {
      applyMutation: async (mutation: any) => {
        mutations.push(mutation);
      },
      refresh: async () => {},
    },
    lastFull(): Entity[] {
      const full = mutations.filter(m => m.type === 'full').pop();
      if (!full?.entities) throw new Error('no full mutation was applied');
      return full.entities.map(d => d.entity);
    },
  };
}

interface Seeded {
  /** Role name to the owner ref its tag names, undefined when untagged. */
  owners: Map<string, string | undefined>;
  integrations: Set<string>;
}

const ownerOf = (i: number) => `group:default/team-${i % GROUPS}`;

/** Adds integrations `from` to `to` (exclusive), in alternate regions. */
async function seedIntegrations(
  accountId: string,
  seeded: Seeded,
  from: number,
  to: number,
): Promise<void> {
  const clients = await testing.seedClients(accountId, REGIONS[0]);
  await pool(
    Array.from({ length: to - from }, (_, i) => from + i),
    CONCURRENCY,
    async i => {
      const name = `meter-siem-${String(i).padStart(4, '0')}`;
      // One in ten has no owner tag and should get the fallback owner.
      const owner = i % 10 === 9 ? undefined : ownerOf(Math.floor(i / 10));
      await testing.seedIntegration(clients, {
        region: REGIONS[i % REGIONS.length],
        streamName: name,
        roleName: name,
        policyName: `${name}-kinesis-write`,
        tags: {
          ...(owner ? { owner } : {}),
          environment: i % 3 ? 'production' : 'staging',
          'managed-by': 'backstage',
        },
      });
      seeded.owners.set(name, owner);
      seeded.integrations.add(name);
    },
  );
}

async function seedOtherRoles(accountId: string, seeded: Seeded) {
  const clients = await testing.seedClients(accountId, REGIONS[0]);
  await pool(
    Array.from({ length: OTHER_ROLES }, (_, i) => i),
    CONCURRENCY,
    async i => {
      const name = `app-role-${String(i).padStart(4, '0')}`;
      const service = i % 2 ? 'lambda.amazonaws.com' : 'ec2.amazonaws.com';
      await clients.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: service },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
          Tags: [
            { Key: 'owner', Value: ownerOf(i) },
            { Key: 'environment', Value: 'production' },
          ],
        }),
      );
      seeded.owners.set(name, ownerOf(i));
    },
  );
}

/** Whether moto's ListRoles carries the roles' tags (real AWS leaves them out). */
async function listRolesHasTags(accountId: string) {
  const clients = await testing.seedClients(accountId, REGIONS[0]);
  const { Roles = [] } = await clients.iam.send(
    new ListRolesCommand({ MaxItems: 100 }),
  );
  return {
    listed: Roles.length,
    withTags: Roles.filter(r => r.Tags?.length).length,
  };
}

function score(
  seeded: Seeded,
  ownerByRole: Map<string, string>,
  fallback: string,
) {
  let taggedRight = 0;
  let untaggedFallback = 0;
  for (const role of seeded.integrations) {
    const expected = seeded.owners.get(role);
    const got = ownerByRole.get(role);
    if (got === undefined) continue;
    if (expected && normalRef(got) === normalRef(expected)) taggedRight++;
    if (!expected && normalRef(got) === normalRef(fallback)) untaggedFallback++;
  }
  return { taggedRight, untaggedFallback };
}

// ------------------------------------------------------------ issue 11

/** The published rates (IAM: the assumed ones) and their scope. */
const PUBLISHED: Record<string, number> = {
  ...AWS_CONTROL_PLANE_RATES,
  ...ASSUMED_IAM_RATES,
};

const scaled = (rates: Readonly<Record<string, number>>, factor: number) =>
  Object.fromEntries(Object.entries(rates).map(([op, r]) => [op, r * factor]));

/**
 * The simulator (the fault proxy with AWS's published rates as `limits`)
 * and the provider's rates: real ones, or every rate `speed` times AWS's
 * (the simulator's and the provider's alike; nothing else changes).
 */
interface World {
  speed: number;
  proxy: AwsFaultProxy;
  providerConfig: object;
}

async function world(speed: number): Promise<World> {
  const proxy = await startAwsFaultProxy({
    target: moto!,
    limits: scaled(AWS_RATE_LIMITS, speed),
  });
  const providerConfig =
    speed === 1
      ? {}
      : { apiRates: { perSecond: scaled(PUBLISHED, FRACTION * speed) } };
  return { speed, proxy, providerConfig };
}

/**
 * The facts' clock: moves with real time during a sync, and jumps to the
 * next scheduled start between syncs (the benchmark runs them back to
 * back rather than waiting for the schedule).
 */
function factsClock() {
  let base = Date.parse('2026-11-28T12:00:00Z');
  let realStart = performance.now();
  const now = () => Math.round(base + performance.now() - realStart);
  return {
    now,
    jumpTo(at: number) {
      base = at;
      realStart = performance.now();
    },
  };
}

interface Sync {
  wallMs: number;
  calls: AwsCall[];
  entities: Entity[];
  /** Integration entities whose stream was not read yet. */
  pending: number;
  reused: number;
  reread: number;
  /** Age of the oldest fact the sync committed. */
  oldestAgeMs: number;
}

class Bench {
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  readonly sink = fakeConnection();
  readonly accountId: string;
  readonly w: World;
  readonly clock: ReturnType<typeof factsClock>;
  readonly cache: ReturnType<typeof memoryCache>;
  provider!: ReturnType<typeof MeterSiemEntityProvider.fromConfig>[number];

  constructor(
    accountId: string,
    w: World,
    clock: ReturnType<typeof factsClock>,
    cache = memoryCache(),
  ) {
    this.accountId = accountId;
    this.w = w;
    this.clock = clock;
    this.cache = cache;
  }

  async connect() {
    [this.provider] = MeterSiemEntityProvider.fromConfig(
      new ConfigReader({
        aws: testing.awsConfig([this.accountId]),
        catalog: {
          providers: {
            meterSiem: {
              regions: REGIONS,
              accounts: [{ accountId: this.accountId }],
              fallbackOwner: FALLBACK_OWNER,
              ...this.w.providerConfig,
            },
          },
        },
      }),
      {
        logger: quietLogger(this.warnings, this.infos) as any,
        // Scheduling is the backend's business; the benchmark calls refresh().
        scheduler: { scheduleTask: async () => {} } as any,
        cache: this.cache,
        now: this.clock.now,
      },
    );
    await this.provider.connect(this.sink.connection);
  }

  async sync(): Promise<Sync> {
    const { proxy } = this.w;
    proxy.resetCalls();
    process.env.AWS_ENDPOINT_URL = proxy.url;
    const started = performance.now();
    try {
      await this.provider.refresh();
    } finally {
      process.env.AWS_ENDPOINT_URL = moto;
    }
    const wallMs = performance.now() - started;
    const calls = proxy.calls().filter(c => c.caller === CALLER);
    const entities = this.sink.lastFull();
    const integrations = entities.filter(
      e => e.spec?.type === 'meter-siem-integration',
    );
    const readAts = integrations.map(e =>
      Date.parse(e.metadata.annotations?.['meter-siem.io/facts-read-at'] ?? ''),
    );
    const line = this.infos[this.infos.length - 1] ?? '';
    if (process.env.BENCH_VERBOSE) {
      console.error(
        `[rates ×${this.w.speed}] ${secs(wallMs)} s, ${
          calls.filter(c => c.throttled).length
        } throttled: ${line}`,
      );
    }
    const facts =
      /Stream facts: (\d+) reused, (\d+) re-read, (\d+) not read yet/.exec(
        line,
      );
    return {
      wallMs,
      calls,
      entities,
      pending: integrations.filter(e =>
        /^Not read yet/.test(
          e.metadata.annotations?.['meter-siem.io/facts-error'] ?? '',
        ),
      ).length,
      reused: Number(facts?.[1] ?? 0),
      reread: Number(facts?.[2] ?? 0),
      oldestAgeMs: this.clock.now() - Math.min(...readAts),
    };
  }
}

function byOp(calls: AwsCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) {
    counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  }
  return counts;
}

/**
 * The least time AWS's published rates allow for these calls: per
 * operation, its calls over its rate, per region for the regional ones
 * (spread evenly over the benchmark's regions), per account for IAM.
 */
function rateFloorMs(calls: AwsCall[]): number {
  let floor = 0;
  for (const [op, n] of byOp(calls)) {
    const rate = PUBLISHED[op];
    if (!rate) continue;
    const regions =
      op.startsWith('iam:') || op.startsWith('sts:') ? 1 : REGIONS.length;
    floor = Math.max(floor, (Math.ceil(n / regions) / rate) * 1000);
  }
  return floor;
}

interface Column {
  title: string;
  /** The calls of its syncs together. */
  calls: AwsCall[];
  syncs: number;
  wallMs: number;
  /** Wall time as measured, or with a note (a faster world's). */
  wallText?: string;
  /** Each sync's floor, summed (they run one after the other). */
  floorMs: number;
  reread: number;
  reused: number;
  pending: number;
  oldestAgeMs: number;
}

function column(title: string, syncs: Sync[]): Column {
  return {
    title,
    calls: syncs.flatMap(s => s.calls),
    syncs: syncs.length,
    wallMs: syncs.reduce((a, s) => a + s.wallMs, 0),
    floorMs: syncs.reduce((a, s) => a + rateFloorMs(s.calls), 0),
    reread: syncs.reduce((a, s) => a + s.reread, 0),
    reused: syncs[syncs.length - 1].reused,
    pending: syncs[syncs.length - 1].pending,
    oldestAgeMs: Math.max(...syncs.map(s => s.oldestAgeMs)),
  };
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const mins = (ms: number) => (ms / MINUTE).toFixed(1);

function printColumns(size: number, columns: Column[]) {
  const ops = [
    ...new Set(columns.flatMap(c => [...byOp(c.calls).keys()])),
  ].sort();
  printTable(
    [`${size} integrations`, ...columns.map(c => c.title)],
    [
      ['syncs', ...columns.map(c => c.syncs)],
      ['wall time, s', ...columns.map(c => c.wallText ?? secs(c.wallMs))],
      [
        'rate floor of these calls at published rates, s',
        ...columns.map(c => secs(c.floorMs)),
      ],
      [
        'throttled calls (simulator limits)',
        ...columns.map(c => {
          const n = c.calls.filter(x => x.throttled).length;
          return n === 0 ? '0' : `${n} FAIL`;
        }),
      ],
      ['AWS calls', ...columns.map(c => c.calls.length)],
      ...ops.map(op => [
        `  ${op}`,
        ...columns.map(c => byOp(c.calls).get(op) ?? 0),
      ]),
      ['streams read', ...columns.map(c => c.reread)],
      ['streams reused (last sync)', ...columns.map(c => c.reused)],
      ['not read yet (last sync)', ...columns.map(c => c.pending)],
      ['oldest fact committed, min', ...columns.map(c => mins(c.oldestAgeMs))],
    ],
  );
}

/** Issue 11 for one size; the first sync for the roadie comparison. */
async function runSize(accountId: string, size: number) {
  const perRegion = Math.ceil(size / REGIONS.length);
  const tagsRate = AWS_CONTROL_PLANE_RATES['kinesis:ListTagsForStream'];
  const perSync = Math.floor((READ_BUDGET_MS / 1000) * tagsRate * FRACTION);
  const syncsToRead = Math.ceil(perRegion / perSync);
  const floorMs = (perRegion / tagsRate) * 1000;
  console.log(
    `\n=== ${size} integrations (${perRegion} streams in each of ${REGIONS.join(
      ' and ',
    )}), ${size + OTHER_ROLES} roles ===`,
  );
  console.log(
    `Reading every stream once takes ${perRegion} ListTagsForStream calls per region (regions are read at the same time): ${secs(
      floorMs,
    )} s at AWS's 5 a second (the floor), ${secs(
      floorMs / FRACTION,
    )} s at the provider's 4 a second, in ${syncsToRead} syncs of ${
      READ_BUDGET_MS / 1000
    } s of reads (${perSync} streams a region each).`,
  );
  const real = await world(1);
  // At 5,000 the first full read takes 14 syncs of ~50 s at real rates:
  // after the first sync it runs with every rate ×10.
  const fast = size > 1000 ? await world(10) : real;
  const columns: Column[] = [];
  const warnings: string[] = [];
  const clock = factsClock();
  try {
    // 1. The first sync, from a cold cache, at real rates.
    const bench = new Bench(accountId, real, clock);
    await bench.connect();
    const first = await bench.sync();
    columns.push(column('first sync', [first]));

    // 2. The first full read: syncs until no stream is left unread, each
    // starting a minute after the previous one (or when it ends).
    const filler =
      fast === real ? bench : new Bench(accountId, fast, clock, bench.cache);
    if (filler !== bench) await filler.connect();
    const fullRead: Sync[] = [first];
    while (fullRead[fullRead.length - 1].pending > 0) {
      if (fullRead.length > 30) {
        throw new Error('the first full read does not end');
      }
      clock.jumpTo(
        Math.max(
          clock.now(),
          clock.now() - fullRead[fullRead.length - 1].wallMs + INTERVAL_MS,
        ),
      );
      fullRead.push(await filler.sync());
    }
    const full = column('first full read', fullRead);
    let fullNote = '';
    if (fast !== real) {
      // At real rates it is as many syncs as the first one, each as long.
      full.wallText = `${secs(full.wallMs)} at ×${fast.speed} ≈ ${secs(
        syncsToRead * first.wallMs,
      )} real`;
      fullNote = `\nFirst full read: rates ×${
        fast.speed
      } after the first sync (simulator and provider alike); times scaled back ×${
        fast.speed
      }: at real rates it takes ${syncsToRead} syncs, each as long as the first (${secs(
        first.wallMs,
      )} s), ≈ ${secs(
        syncsToRead * first.wallMs,
      )} s, beside the floor of ${secs(
        floorMs,
      )} s (every stream's ListTagsForStream at AWS's 5 a second).`;
    }
    columns.push(full);
    warnings.push(...bench.warnings, ...filler.warnings);

    // 3. Steady state at real rates: syncs a minute apart. At 500, a whole
    // cycle (every fact re-read once); at 5,000, two syncs (a cycle is 15
    // minutes of ~50 s syncs: the provider's arithmetic is below).
    const steadyBench =
      filler === bench ? bench : new Bench(accountId, real, clock, bench.cache);
    if (steadyBench !== bench) await steadyBench.connect();
    const cycleSyncs =
      fast === real ? Math.ceil(MAX_AGE_MS / INTERVAL_MS) + 1 : 2;
    const steady: Sync[] = [];
    let at = clock.now();
    for (let i = 0; i < cycleSyncs; i++) {
      at += INTERVAL_MS;
      clock.jumpTo(Math.max(at, clock.now()));
      at = clock.now();
      steady.push(await steadyBench.sync());
    }
    columns.push(
      column(`steady, ${cycleSyncs} syncs a minute apart`, steady),
      column('steady, its last sync', [steady[steady.length - 1]]),
    );
    if (steadyBench !== bench) warnings.push(...steadyBench.warnings);

    printColumns(size, columns);
    if (fullNote) console.log(fullNote);
    const walls = steady.map(s => s.wallMs);
    console.log(
      `\nSteady state, ${cycleSyncs} syncs a minute apart at real rates: ${secs(
        Math.min(...walls),
      )}-${secs(Math.max(...walls))} s a sync, ${Math.round(
        steady.reduce((a, s) => a + s.calls.length, 0) / steady.length,
      )} AWS calls a sync on average, oldest fact committed ${mins(
        Math.max(...steady.map(s => s.oldestAgeMs)),
      )} min (maximum age ${mins(MAX_AGE_MS)} min), ${
        steady.filter(s => s.calls.some(c => c.throttled)).length
      } syncs met throttling.`,
    );
    if (fast !== real) {
      console.log(
        `A cycle at this size: each region's ${perRegion} streams at ${perSync} a sync take ${syncsToRead} syncs a minute apart, so the oldest fact is at most ~${syncsToRead} min old (the provider warns when this exceeds maxFactsAge; ${
          warnings.some(w => /cannot all stay younger/.test(w))
            ? 'it did'
            : 'it did not'
        }).`,
      );
    }
    for (const w of new Set(warnings)) console.log(`\nprovider warned: ${w}`);
    return { first };
  } finally {
    await real.proxy.close();
    if (fast !== real) await fast.proxy.close();
  }
}

// ------------------------------------------------------------ issue 3

interface Result {
  wallMs: number;
  counts: Map<string, Map<string, number>>;
  upstreamMs: Map<string, number>;
  entities: number;
  integrationsFound: number;
  /** Integrations whose owner tag was read right, of the tagged ones. */
  taggedRight: number;
  /** Untagged integrations given the provider's fallback owner. */
  untaggedFallback: number;
  /** All roles with an owner tag, and the untagged ones at the fallback. */
  allRoles?: { taggedRight: number; untaggedFallback: number };
  warnings: string[];
}

function ourResult(seeded: Seeded, first: Sync): Result {
  const found = first.entities.filter(
    e => e.spec?.type === 'meter-siem-integration',
  );
  const ownerByRole = new Map<string, string>();
  for (const e of found) {
    const arn = e.metadata.annotations?.['meter-siem.io/role-arn'];
    if (arn) ownerByRole.set(arn.split('/').pop()!, String(e.spec?.owner));
  }
  const upstreamMs = new Map<string, number>();
  for (const c of first.calls) {
    upstreamMs.set(
      c.operation,
      (upstreamMs.get(c.operation) ?? 0) +
        (c.endedAt ?? c.startedAt) -
        c.startedAt,
    );
  }
  return {
    wallMs: first.wallMs,
    counts: new Map([[CALLER, byOp(first.calls)]]),
    upstreamMs,
    entities: first.entities.length,
    integrationsFound: found.length,
    ...score(seeded, ownerByRole, FALLBACK_OWNER),
    warnings: [],
  };
}

async function runRoadie(
  accountId: string,
  seeded: Seeded,
  proxy: CallCounter,
): Promise<Result> {
  const { AWSIAMRoleProvider } = peerRequire(PEER);
  const warnings: string[] = [];
  // Its default credentials path hands the SDK provider function to
  // `new IAM(credentials)` as if it were the client config, so the calls go
  // out with the process's own credentials (moto's default account, not the
  // configured one); `useTemporaryCredentials` assumes `roleArn` properly.
  const roleArn = `arn:aws:iam::${accountId}:role/${testing.READER_ROLE}`;
  const provider = AWSIAMRoleProvider.fromConfig(
    new ConfigReader({
      accountId,
      roleName: testing.READER_ROLE,
      roleArn,
      region: REGIONS[0],
    }),
    { logger: quietLogger(warnings), useTemporaryCredentials: true },
  );
  const sink = fakeConnection();
  await provider.connect(sink.connection);
  proxy.reset();
  const started = performance.now();
  await provider.run();
  const wallMs = performance.now() - started;
  const counts = proxy.counts();
  const upstreamMs = proxy.upstreamMs();
  const entities = sink.lastFull();
  const ownerByRole = new Map<string, string>();
  for (const e of entities) {
    const arn = e.metadata.annotations?.['amazon.com/iam-role-arn'];
    if (arn) ownerByRole.set(arn.split('/').pop()!, String(e.spec?.owner));
  }
  // It has no fallback owner setting; an untagged role gets "unknown".
  const fallback = 'unknown';
  const allRoles = { taggedRight: 0, untaggedFallback: 0 };
  for (const [role, expected] of seeded.owners) {
    const got = ownerByRole.get(role);
    if (got && normalRef(got) === normalRef(expected ?? fallback)) {
      allRoles[expected ? 'taggedRight' : 'untaggedFallback']++;
    }
  }
  return {
    wallMs,
    counts,
    upstreamMs,
    entities: entities.length,
    integrationsFound: [...seeded.integrations].filter(r => ownerByRole.has(r))
      .length,
    ...score(seeded, ownerByRole, fallback),
    allRoles,
    warnings,
  };
}

function byOperation(counts: Map<string, Map<string, number>>) {
  const merged = new Map<string, number>();
  for (const ops of counts.values()) {
    for (const [op, n] of ops) merged.set(op, (merged.get(op) ?? 0) + n);
  }
  return merged;
}

function printTable(
  headers: string[],
  rows: Array<Array<string | number | undefined>>,
) {
  const cells = rows.map(r => r.map(c => (c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map(r => (r[i] ?? '').length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('   ');
  console.log(line(headers));
  console.log(widths.map(w => '-'.repeat(w)).join('   '));
  for (const r of cells) console.log(r[0] === '' ? '' : line(r));
}

async function compareWithRoadie(
  accountId: string,
  seeded: Seeded,
  ours: Result,
  integrations: number,
) {
  const proxy = await startCountingProxy(moto!);
  process.env.AWS_ENDPOINT_URL = proxy.url;
  let peer: Result;
  try {
    peer = await runRoadie(accountId, seeded, proxy);
  } finally {
    process.env.AWS_ENDPOINT_URL = moto;
    await proxy.close();
  }
  const peerVersion = peerRequire(`${PEER}/package.json`).version;
  const ourOps = byOperation(ours.counts);
  const peerOps = byOperation(peer.counts);
  const ops = [...new Set([...ourOps.keys(), ...peerOps.keys()])].sort();
  const total = (m: Map<string, number>) =>
    [...m.values()].reduce((a, b) => a + b, 0);
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const calls = (r: Result, op: string) => {
    const n = byOperation(r.counts).get(op) ?? 0;
    return n ? `${n} (${seconds(r.upstreamMs.get(op) ?? 0)} s)` : '0';
  };
  const untagged = [...seeded.integrations].filter(
    r => !seeded.owners.get(r),
  ).length;
  const tagged = integrations - untagged;
  const taggedRoles = [...seeded.owners.values()].filter(Boolean).length;
  const roles = seeded.owners.size;

  console.log(
    `\n=== Beside roadie (issue 3): one sync each on the ${integrations}-integration account ===`,
  );
  console.log(
    `Ours is the first sync above (paced, under the simulator's limits, ${
      READ_BUDGET_MS / 1000
    } s read budget: ${
      ours.integrationsFound
    } integrations, some of whose streams are not read yet); roadie's runs through a counting proxy without limits.\n`,
  );
  printTable(
    ['', 'meter-siem provider', `roadie AWSIAMRoleProvider ${peerVersion}`],
    [
      ['wall time (s)', seconds(ours.wallMs), seconds(peer.wallMs)],
      [
        'AWS calls, total (time waiting for moto)',
        `${total(ourOps)} (${seconds(total(ours.upstreamMs))} s)`,
        `${total(peerOps)} (${seconds(total(peer.upstreamMs))} s)`,
      ],
      ...ops.map(op => [`  ${op}`, calls(ours, op), calls(peer, op)]),
      [''],
      ['entities emitted', ours.entities, peer.entities],
      [
        `integrations found (of ${integrations})`,
        ours.integrationsFound,
        `${peer.integrationsFound} (as plain roles)`,
      ],
      [
        `owner = tag, tagged integrations (of ${tagged})`,
        ours.taggedRight,
        peer.taggedRight,
      ],
      [
        `untagged integrations -> fallback (of ${untagged})`,
        `${ours.untaggedFallback} (${FALLBACK_OWNER})`,
        `${peer.untaggedFallback} ("unknown")`,
      ],
      [
        `owner = tag, all tagged roles (of ${taggedRoles})`,
        'n/a (integrations only)',
        peer.allRoles?.taggedRight,
      ],
      [
        `untagged roles -> fallback (of ${roles - taggedRoles})`,
        'n/a',
        `${peer.allRoles?.untaggedFallback} ("unknown")`,
      ],
    ],
  );
  for (const w of peer.warnings) console.log(`\nroadie warned: ${w}`);
}

async function main() {
  const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
  const seeded: Seeded = { owners: new Map(), integrations: new Set() };
  const t0 = performance.now();
  await seedOtherRoles(accountId, seeded);
  let count = 0;
  const benchStarted = performance.now();
  for (const size of SIZES) {
    const t = performance.now();
    await seedIntegrations(accountId, seeded, count, size);
    count = size;
    console.log(
      `\nSeeded moto account ${accountId} up to ${size} Meter integrations (alternating ${REGIONS.join(
        ' and ',
      )}, one in ten without owner tag) beside ${OTHER_ROLES} other roles, in ${secs(
        performance.now() - (size === SIZES[0] ? t0 : t),
      )} s (${CONCURRENCY} calls at a time, straight to moto, not counted)`,
    );
    if (size === SIZES[0]) {
      const tagCheck = await listRolesHasTags(accountId);
      console.log(
        `moto's ListRoles returns Tags on ${tagCheck.withTags} of the ${tagCheck.listed} roles of its first page (real AWS returns none there)`,
      );
    }
    const { first } = await runSize(accountId, size);
    if (size === SIZES[0]) {
      await compareWithRoadie(
        accountId,
        seeded,
        ourResult(seeded, first),
        size,
      );
    }
  }
  console.log(
    `\nThe 5,000-in-one-region case, by the provider's arithmetic: 5,000 streams at 4 ListTagsForStream a second, 180 a 45 s budget, every minute: 28 syncs, so facts up to ~28 minutes old; the provider warns with that figure (see its README). Benchmark time: ${mins(
      performance.now() - benchStarted,
    )} min after seeding the other roles.`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
