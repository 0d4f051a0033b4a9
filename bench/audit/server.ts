/**
 * The audit benchmark's server: a real Backstage backend (createBackend)
 * with the meter-siem plugin, whose catalog is an in-memory client holding
 * 5,000 integrations built with the domain's builders. Run through the
 * Backstage CLI's node transform (it imports the workspace's TypeScript).
 *
 * With the app backend (the production build in packages/app/dist) and the
 * auth backend's guest provider, the app itself opens at the same port, so
 * that the benchmark can time the audit page in a browser. The guest belongs
 * to group:default/team-7 (the guest provider's ownership claim; no catalog
 * user is needed), so the page shows "your team first" as a team member sees
 * it. The frontend's other plugins find no backend here (no catalog, search
 * and so on); the audit page needs only meter-siem.
 *
 * Two static tokens: BENCH_TOKEN's requests are served as in production,
 * from the audit's index (the catalog's read permission is ALLOW, as
 * without a permission policy); BENCH_BASELINE_TOKEN's get a CONDITIONAL
 * decision on catalog.entity.read with a rule the audit cannot apply in
 * memory, so that the plugin reads the catalog for each of them: the path
 * every request took before the index, measured in the same run.
 *
 * Prints one line "READY <ms to build entities> <entities>" once it listens.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InMemoryCatalogClient } from '@backstage/catalog-client/testUtils';
import { ConfigReader } from '@backstage/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  IntegrationFacts,
  buildIntegrationEntities,
  buildPermissionsPolicy,
  buildTrustPolicy,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import meterSiemPlugin from '@internal/backstage-plugin-meter-siem-backend';
import appPlugin from '@backstage/plugin-app-backend';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';

const count = Number(process.env.BENCH_INTEGRATIONS ?? 5000);
const port = Number(process.env.BENCH_BACKEND_PORT ?? 7117);
const token = process.env.BENCH_TOKEN!;
const baselineToken = process.env.BENCH_BASELINE_TOKEN;
const teams = 50;
const baseUrl = `http://localhost:${port}`;
// The app's own settings (its plugins found with app.packages, its pages'
// paths), read at run time by the frontend the app backend serves.
const appConfig = parseYaml(
  readFileSync(
    path.resolve(import.meta.dirname, '../../app-config.yaml'),
    'utf8',
  ),
).app;
const settings = resolveSettings();

/** One integration in ten breaks a rule, each breaker a different one. */
function facts(i: number): IntegrationFacts {
  const accountId = String(100000000000 + (i % 20));
  const region = ['us-east-1', 'eu-west-1', 'ap-southeast-2'][i % 3];
  const name = `bench-${i}`;
  const streamArn = `arn:aws:kinesis:${region}:${accountId}:stream/meter-siem-${name}`;
  const tags: Record<string, string> = {
    owner: `group:default/team-${i % teams}`,
    environment: 'production',
    'managed-by': 'backstage',
    'meter-siem-integration': name,
  };
  const trustPolicy = buildTrustPolicy({
    principalArn: settings.meterPrincipalArn,
    externalId: 'a'.repeat(64),
  });
  const policy = buildPermissionsPolicy(streamArn);
  const roleTags = { ...tags };
  switch (i % 80) {
    case 1:
      delete tags.owner;
      delete roleTags.owner;
      break;
    case 9:
      tags.owner = roleTags.owner = 'group:default/ghosts';
      break;
    case 17:
      roleTags.owner = 'user:default/someone';
      break;
    case 25:
      delete tags.environment;
      break;
    case 33:
      delete tags['managed-by'];
      delete roleTags['managed-by'];
      break;
    case 41:
      delete trustPolicy.Statement[0].Condition;
      break;
    case 49:
      policy.Statement[0].Resource = '*';
      break;
    default:
  }
  return {
    accountId,
    region,
    role: {
      arn: `arn:aws:iam::${accountId}:role/meter-siem-${name}`,
      name: `meter-siem-${name}`,
      tags: roleTags,
      trustPolicy,
    },
    policy: {
      arn: `arn:aws:iam::${accountId}:policy/meter-siem-${name}-kinesis-write`,
      name: `meter-siem-${name}-kinesis-write`,
    },
    permissions: [
      {
        policyArn: `arn:aws:iam::${accountId}:policy/meter-siem-${name}-kinesis-write`,
        document: policy,
      },
    ],
    streamArn,
    stream:
      i % 80 === 57
        ? undefined
        : { name: `meter-siem-${name}`, tags, status: 'ACTIVE' },
  };
}

const started = performance.now();
const org: Entity[] = Array.from({ length: teams }, (_, t) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: `team-${t}`, namespace: 'default' },
  spec: { type: 'team', children: [] },
}));
const entities = [
  ...(buildIntegrationEntities(
    Array.from({ length: count }, (_, i) => facts(i)),
    { settings, fallbackOwner: 'group:default/unowned' },
  ) as unknown as Entity[]),
  ...org,
];
const buildMs = performance.now() - started;

// The catalog service's calls take credentials instead of tokens; the
// in-memory client ignores both.
const catalog = new InMemoryCatalogClient({ entities });

const backend = createBackend();
backend.add(
  createServiceFactory({
    service: coreServices.rootConfig,
    deps: {},
    factory: () =>
      new ConfigReader({
        app: { ...appConfig, baseUrl },
        backend: {
          baseUrl,
          listen: { port },
          cors: { origin: baseUrl, credentials: true },
          database: { client: 'better-sqlite3', connection: ':memory:' },
          auth: {
            externalAccess: [
              { type: 'static', options: { token, subject: 'benchmark' } },
              ...(baselineToken
                ? [
                    {
                      type: 'static',
                      options: {
                        token: baselineToken,
                        subject: 'benchmark-baseline',
                      },
                    },
                  ]
                : []),
            ],
          },
        },
        auth: {
          providers: {
            guest: {
              dangerouslyAllowOutsideDevelopment: true,
              ownershipEntityRefs: [
                'user:development/guest',
                'group:default/team-7',
              ],
            },
          },
        },
      }),
  }),
);
backend.add(
  createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog as any,
  }),
);
// Every permission allowed, as without a policy; but for the baseline
// token's catalog reads, a condition only the catalog can apply.
backend.add(
  createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () =>
      ({
        async authorize(requests: unknown[]) {
          return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
        },
        async authorizeConditional(
          requests: Array<{ permission: { name: string } }>,
          options: { credentials: { principal: unknown } },
        ) {
          const principal = options.credentials.principal as {
            subject?: string;
          };
          const baseline = principal.subject?.endsWith('benchmark-baseline');
          return requests.map(({ permission }) =>
            baseline && permission.name === 'catalog.entity.read'
              ? {
                  result: AuthorizeResult.CONDITIONAL,
                  pluginId: 'catalog',
                  resourceType: 'catalog-entity',
                  conditions: {
                    rule: 'BENCH_ONLY_THE_CATALOG_KNOWS',
                    resourceType: 'catalog-entity',
                    params: {},
                  },
                }
              : { result: AuthorizeResult.ALLOW },
          );
        },
      } as any),
  }),
);
backend.add(meterSiemPlugin);
backend.add(appPlugin);
backend.add(authPlugin);
backend.add(guestProvider);
backend.start().then(() => {
  console.log(`READY ${buildMs.toFixed(0)} ${entities.length}`);
});
