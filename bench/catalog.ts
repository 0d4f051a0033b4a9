/**
 * Benchmark of issue 3: one full sync of the Meter SIEM catalog provider over
 * an account of 2,000 IAM roles, 500 of them Meter integrations with streams
 * in two regions, beside `@roadiehq/catalog-backend-module-aws`'s
 * AWSIAMRoleProvider on the same data. Prints AWS calls by operation (counted
 * by a proxy in front of moto), wall times, entity counts and how many owners
 * each gets right.
 *
 * Run with ./bench/run.sh catalog (it starts moto and installs the peer into
 * .tools/bench-peers, outside the repository's dependencies).
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

const moto = process.env.AWS_ENDPOINT_URL;
if (!moto)
  throw new Error('AWS_ENDPOINT_URL (moto) is not set; use bench/run.sh');

const ROLES = 2000;
const INTEGRATIONS = 500;
const REGIONS = ['us-east-1', 'eu-west-1'];
const GROUPS = 10;
const CONCURRENCY = 16;
const FALLBACK_OWNER = 'group:default/unowned';
const PEER = '@roadiehq/catalog-backend-module-aws';
const PLUGIN = '../plugins/catalog-backend-module-meter-siem/src';

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const { MeterSiemEntityProvider } =
  require(`${PLUGIN}/provider/MeterSiemEntityProvider.ts`) as typeof import('../plugins/catalog-backend-module-meter-siem/src/provider/MeterSiemEntityProvider.ts');
const testing =
  require(`${PLUGIN}/__testUtils__/moto.ts`) as typeof import('../plugins/catalog-backend-module-meter-siem/src/__testUtils__/moto.ts');

const root = path.resolve(import.meta.dirname, '..');
const peerRequire = createRequire(
  path.join(root, '.tools/bench-peers/package.json'),
);

/** Runs `fn` over `items`, `size` at a time. */
async function pool<T>(
  items: T[],
  size: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index], index);
      }
    }),
  );
}

/** Owner refs as the catalog reads `spec.owner`: kind Group, namespace default. */
function normalRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLowerCase();
}

function quietLogger(warnings: string[]) {
  const logger = {
    info() {},
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

async function seed(accountId: string): Promise<Seeded> {
  const clients = await testing.seedClients(accountId, REGIONS[0]);
  const owners = new Map<string, string | undefined>();
  const integrations = new Set<string>();
  const ownerOf = (i: number) => `group:default/team-${i % GROUPS}`;

  await pool(
    Array.from({ length: INTEGRATIONS }, (_, i) => i),
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
      owners.set(name, owner);
      integrations.add(name);
    },
  );
  await pool(
    Array.from({ length: ROLES - INTEGRATIONS }, (_, i) => i),
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
      owners.set(name, ownerOf(i));
    },
  );
  return { owners, integrations };
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

async function runMeterSiem(
  accountId: string,
  seeded: Seeded,
  proxy: CallCounter,
): Promise<Result> {
  const warnings: string[] = [];
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader({
      aws: testing.awsConfig([accountId]),
      catalog: {
        providers: {
          meterSiem: {
            regions: REGIONS,
            accounts: [{ accountId }],
            fallbackOwner: FALLBACK_OWNER,
          },
        },
      },
    }),
    {
      logger: quietLogger(warnings) as any,
      // Scheduling is the backend's business; the benchmark calls refresh().
      scheduler: { scheduleTask: async () => {} } as any,
    },
  );
  const sink = fakeConnection();
  await provider.connect(sink.connection);
  proxy.reset();
  const started = performance.now();
  await provider.refresh();
  const wallMs = performance.now() - started;
  const counts = proxy.counts();
  const upstreamMs = proxy.upstreamMs();
  const entities = sink.lastFull();
  const found = entities.filter(e => e.spec?.type === 'meter-siem-integration');
  const ownerByRole = new Map<string, string>();
  for (const e of found) {
    const arn = e.metadata.annotations?.['meter-siem.io/role-arn'];
    if (arn) ownerByRole.set(arn.split('/').pop()!, String(e.spec?.owner));
  }
  return {
    wallMs,
    counts,
    upstreamMs,
    entities: entities.length,
    integrationsFound: found.length,
    ...score(seeded, ownerByRole, FALLBACK_OWNER),
    warnings,
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
  for (const byOp of counts.values()) {
    for (const [op, n] of byOp) merged.set(op, (merged.get(op) ?? 0) + n);
  }
  return merged;
}

function byCaller(counts: Map<string, Map<string, number>>) {
  return new Map(
    [...counts].map(([caller, byOp]) => [
      caller,
      [...byOp.values()].reduce((a, b) => a + b, 0),
    ]),
  );
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

async function main() {
  const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
  const t0 = performance.now();
  const seeded = await seed(accountId);
  const seedMs = performance.now() - t0;
  const untagged = [...seeded.integrations].filter(
    r => !seeded.owners.get(r),
  ).length;
  console.log(
    `Seeded moto account ${accountId}: ${ROLES} roles, ${INTEGRATIONS} of them Meter integrations (streams in ${REGIONS.join(
      ' and ',
    )}, ${untagged} without owner tag), in ${(seedMs / 1000).toFixed(1)} s ` +
      `(${CONCURRENCY} calls at a time, straight to moto, not counted)`,
  );
  const tagCheck = await listRolesHasTags(accountId);
  console.log(
    `moto's ListRoles returns Tags on ${tagCheck.withTags} of the ${tagCheck.listed} roles of its first page (real AWS returns none there)`,
  );

  const proxy = await startCountingProxy(moto!);
  // Every SDK client created from here on goes through the proxy.
  process.env.AWS_ENDPOINT_URL = proxy.url;
  let ours: Result;
  let peer: Result;
  try {
    ours = await runMeterSiem(accountId, seeded, proxy);
    peer = await runRoadie(accountId, seeded, proxy);
  } finally {
    process.env.AWS_ENDPOINT_URL = moto;
    await proxy.close();
  }

  const peerVersion = peerRequire(`${PEER}/package.json`).version;
  const ourOps = byOperation(ours.counts);
  const peerOps = byOperation(peer.counts);
  const ops = [...new Set([...ourOps.keys(), ...peerOps.keys()])].sort();
  const callers = [
    ...new Set([...ours.counts.keys(), ...peer.counts.keys()]),
  ].sort();
  const total = (m: Map<string, number>) =>
    [...m.values()].reduce((a, b) => a + b, 0);
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const calls = (r: Result, op: string) => {
    const n = byOperation(r.counts).get(op) ?? 0;
    return n ? `${n} (${seconds(r.upstreamMs.get(op) ?? 0)} s)` : '0';
  };
  const tagged = INTEGRATIONS - untagged;
  const taggedRoles = [...seeded.owners.values()].filter(Boolean).length;

  console.log(`\nOne full sync each, same data, through the counting proxy:\n`);
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
      ...callers.map(c => [
        `  by caller ${c}`,
        byCaller(ours.counts).get(c) ?? 0,
        byCaller(peer.counts).get(c) ?? 0,
      ]),
      [''],
      ['entities emitted', ours.entities, peer.entities],
      [
        `integrations found (of ${INTEGRATIONS})`,
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
        `untagged roles -> fallback (of ${ROLES - taggedRoles})`,
        'n/a',
        `${peer.allRoles?.untaggedFallback} ("unknown")`,
      ],
    ],
  );
  for (const [name, r] of [
    ['meter-siem provider', ours],
    ['roadie', peer],
  ] as const) {
    for (const w of r.warnings) console.log(`\n${name} warned: ${w}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
