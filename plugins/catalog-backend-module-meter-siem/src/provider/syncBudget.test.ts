import { AddTagsToStreamCommand } from '@aws-sdk/client-kinesis';
import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  ANNOTATIONS,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
  auditIntegration,
  defaultRequiredTags,
  parseAuditFacts,
  resolveSettings,
  staleFactsFinding,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AWS_RATE_LIMITS,
  AwsCall,
  AwsFaultProxy,
  startAwsFaultProxy,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import {
  awsConfig,
  deleteIntegration,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
  SeededIntegration,
} from '../__testUtils__/moto';
import { catalogOf } from '../__testUtils__/catalog';
import { memoryCache } from './factsCache';
import { MeterSiemEntityProvider } from './MeterSiemEntityProvider';

/**
 * The sync against moto behind the fault proxy, which enforces AWS's
 * published rates (`limits`) and answers throttling as AWS does: the
 * provider's pacing, its facts cache and its read budget.
 */

requireMoto();
jest.setTimeout(120_000);

const MOTO = process.env.AWS_ENDPOINT_URL!;
const REGIONS = ['us-east-1', 'eu-west-1'];
const CALLER = 'backstage-meter-siem-catalog';
const MINUTE = 60_000;

let proxy: AwsFaultProxy;

beforeAll(async () => {
  proxy = await startAwsFaultProxy({ target: MOTO, limits: AWS_RATE_LIMITS });
});

afterAll(() => proxy.close());

afterEach(() => {
  process.env.AWS_ENDPOINT_URL = MOTO;
  proxy.clear();
});

/**
 * Runs `fn` with the AWS clients it creates going through the proxy (the
 * seeding goes straight to moto, uncounted and unthrottled).
 */
async function viaProxy<T>(fn: () => Promise<T>): Promise<T> {
  process.env.AWS_ENDPOINT_URL = proxy.url;
  try {
    return await fn();
  } finally {
    process.env.AWS_ENDPOINT_URL = MOTO;
  }
}

/** A clock for the facts' read times that only moves when told. */
function fakeClock() {
  let now = Date.parse('2026-11-28T12:00:00Z');
  return {
    now: () => now,
    at: (ms: number) => {
      now = Date.parse('2026-11-28T12:00:00Z') + ms;
    },
  };
}

async function setUp(
  accountId: string,
  providerConfig: object = {},
  options: {
    cache?: CacheService;
    now?: () => number;
    awsClient?: object;
  } = {},
) {
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const events = mockServices.events();
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader({
      aws: awsConfig([accountId]),
      ...(options.awsClient && {
        meterSiem: { awsClient: options.awsClient },
      }),
      catalog: {
        providers: {
          meterSiem: {
            regions: REGIONS,
            accounts: [{ accountId }],
            ...providerConfig,
          },
        },
      },
    }),
    {
      logger,
      scheduler: mockServices.scheduler.mock(),
      events,
      cache: options.cache,
      now: options.now,
    },
  );
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  await provider.connect(connection);
  const refresh = () => viaProxy(() => provider.refresh());
  return { provider, connection, logger, events, refresh };
}

async function seed(
  accountId: string,
  region: string,
  names: string[],
): Promise<SeededIntegration[]> {
  const clients = await seedClients(accountId, region);
  const seeded = [];
  for (const name of names) {
    seeded.push(
      await seedIntegration(clients, {
        region,
        streamName: `meter-siem-${name}`,
        roleName: `meter-siem-${name}`,
        policyName: `meter-siem-${name}-kinesis-write`,
        tags: {
          owner: 'group:default/network',
          'meter-siem-integration': name,
        },
      }),
    );
  }
  return seeded;
}

const catalogCalls = (): AwsCall[] =>
  proxy.calls().filter(c => c.caller === CALLER);

const count = (calls: AwsCall[], operation: string) =>
  calls.filter(c => c.operation === operation).length;

const streamReads = (calls: AwsCall[]) =>
  count(calls, 'kinesis:DescribeStreamSummary');

const integrationsOf = (entities: Entity[]) =>
  entities.filter(e => e.spec?.type === 'meter-siem-integration');

function named(entities: Entity[], name: string): Entity {
  const entity = entities.find(e => e.metadata.name === name);
  if (!entity) throw new Error(`no entity ${name}`);
  return entity;
}

const readAtOf = (entity: Entity) =>
  Date.parse(entity.metadata.annotations![ANNOTATIONS.factsReadAt]);

/** Nothing about throttling reached the log as a warning or an error. */
function expectNoThrottlingLogged(logger: {
  warn: jest.MockInstance<any, any>;
  error: jest.MockInstance<any, any>;
}) {
  const logged = [...logger.warn.mock.calls, ...logger.error.mock.calls]
    .map(([message]) => String(message))
    .filter(message => /throttl|rate exceeded|LimitExceeded/i.test(message));
  expect(logged).toEqual([]);
}

function infoLines(logger: { info: jest.MockInstance<any, any> }): string[] {
  return logger.info.mock.calls.map(([message]) => String(message));
}

describe('the sync under AWS rate limits', () => {
  it("meets no throttling at AWS's published rates", async () => {
    const account = freshAccountId();
    // Unpaced, ten ListTagsForStream calls in one region exceed AWS's 5/s.
    const names = Array.from({ length: 10 }, (_, i) => `paced-${i}`);
    await seed(account, 'us-east-1', names);
    const { connection, logger, refresh } = await setUp(account);
    proxy.resetCalls();
    await refresh();

    const calls = catalogCalls();
    expect(calls.filter(c => c.fault || c.throttled)).toEqual([]);
    expect(count(calls, 'kinesis:ListTagsForStream')).toBe(10);
    const found = integrationsOf(catalogOf(connection));
    expect(found).toHaveLength(10);
    for (const entity of found) {
      expect(entity.metadata.annotations![ANNOTATIONS.streamStatus]).toBe(
        'ACTIVE',
      );
    }
    expectNoThrottlingLogged(logger);
    expect(infoLines(logger).pop()).toMatch(
      /kinesis:ListTagsForStream 10.*Stream facts: 0 reused, 10 re-read, 0 not read yet/,
    );
  });

  it('would meet throttling without its pacing, which the SDK then retries', async () => {
    // The control of the test above: the same sync with rates far above
    // AWS's. The simulator throttles it; adaptive retry carries it through.
    const account = freshAccountId();
    const names = Array.from({ length: 10 }, (_, i) => `unpaced-${i}`);
    await seed(account, 'us-east-1', names);
    const { connection, logger, refresh } = await setUp(account, {
      apiRates: {
        perSecond: {
          'kinesis:ListTagsForStream': 1000,
          'kinesis:DescribeStreamSummary': 1000,
        },
      },
    });
    proxy.resetCalls();
    await refresh();
    expect(catalogCalls().filter(c => c.throttled).length).toBeGreaterThan(0);
    expect(integrationsOf(catalogOf(connection))).toHaveLength(10);
    expectNoThrottlingLogged(logger);
    expect(infoLines(logger).pop()).toMatch(
      /of them throttled by AWS and retried/,
    );
  });

  it('retries throttling caused by others without an error in the log', async () => {
    const account = freshAccountId();
    await seed(account, 'us-east-1', ['shared']);
    const { connection, logger, refresh } = await setUp(account);
    proxy.inject({
      operation: 'kinesis:ListTagsForStream',
      fault: 'throttle',
      times: 2,
    });
    proxy.resetCalls();
    await refresh();
    expect(count(catalogCalls(), 'kinesis:ListTagsForStream')).toBe(3);
    expect(
      named(catalogOf(connection), `shared-${account}`).metadata.annotations![
        ANNOTATIONS.streamStatus
      ],
    ).toBe('ACTIVE');
    expectNoThrottlingLogged(logger);
    expect(infoLines(logger).pop()).toMatch(
      /2 of them throttled by AWS and retried/,
    );
  });
});

describe('the stream facts cache', () => {
  it('reuses facts younger than the maximum age: a second sync reads no stream', async () => {
    const account = freshAccountId();
    await seed(account, 'us-east-1', ['first', 'second']);
    await seed(account, 'eu-west-1', ['third']);
    const { connection, logger, refresh } = await setUp(account);
    await refresh();
    const first = integrationsOf(catalogOf(connection));
    expect(first).toHaveLength(3);

    proxy.resetCalls();
    const secondStarted = Date.now();
    await refresh();
    const calls = catalogCalls();
    for (const op of [
      'kinesis:DescribeStreamSummary',
      'kinesis:ListTagsForStream',
      'kinesis:ListStreams',
      'cloudwatch:DescribeAlarms',
    ]) {
      expect([op, count(calls, op)]).toEqual([op, 0]);
    }
    expect(count(calls, 'iam:GetAccountAuthorizationDetails')).toBe(1);
    const second = integrationsOf(catalogOf(connection));
    // The same facts, read by the first sync: their read time is the
    // oldest fact used (the first sync's stream reads), not this sync's.
    for (const entity of second) {
      const before = named(first, entity.metadata.name);
      expect(readAtOf(entity)).toBeGreaterThanOrEqual(readAtOf(before));
      expect(readAtOf(entity)).toBeLessThan(secondStarted);
      expect(entity.metadata.annotations![ANNOTATIONS.streamStatus]).toBe(
        'ACTIVE',
      );
    }
    expect(infoLines(logger).pop()).toMatch(
      /Stream facts: 3 reused, 0 re-read, 0 not read yet/,
    );
  });

  it('reads a new stream at once, and re-reads only what would outgrow the maximum age', async () => {
    const account = freshAccountId();
    const clock = fakeClock();
    await seed(account, 'us-east-1', ['old']);
    const { connection, refresh } = await setUp(
      account,
      {},
      { now: clock.now },
    );
    clock.at(0);
    await refresh();

    // A new stream, five minutes later: read at once; the other reused.
    await seed(account, 'us-east-1', ['new']);
    clock.at(5 * MINUTE);
    proxy.resetCalls();
    await refresh();
    expect(streamReads(catalogCalls())).toBe(1);
    let entities = catalogOf(connection);
    expect(readAtOf(named(entities, `new-${account}`))).toBe(
      5 * MINUTE + Date.parse('2026-11-28T12:00:00Z'),
    );
    expect(readAtOf(named(entities, `old-${account}`))).toBe(
      Date.parse('2026-11-28T12:00:00Z'),
    );

    // At 14 minutes the first one would be 15 minutes old by the next
    // sync (a minute away, plus its reads): re-read; the other is not.
    clock.at(14 * MINUTE);
    proxy.resetCalls();
    await refresh();
    expect(streamReads(catalogCalls())).toBe(1);
    entities = catalogOf(connection);
    // Re-read: its oldest fact is now the region's alarms, read at 5
    // minutes with the new stream (not re-read, it would have stayed 0).
    expect(readAtOf(named(entities, `old-${account}`))).toBe(
      Date.parse('2026-11-28T12:00:00Z') + 5 * MINUTE,
    );
    expect(readAtOf(named(entities, `new-${account}`))).toBe(
      Date.parse('2026-11-28T12:00:00Z') + 5 * MINUTE,
    );
  });

  it('takes the facts a registration read on another replica, and keeps them', async () => {
    const account = freshAccountId();
    const clock = fakeClock();
    const [seeded] = await seed(account, 'us-east-1', ['moved']);
    // Two replicas sharing the cache store; replica B hears the event.
    const cache = memoryCache();
    const a = await setUp(account, {}, { cache, now: clock.now });
    const b = await setUp(account, {}, { cache, now: clock.now });
    clock.at(0);
    await a.refresh();
    const ownerOf = (entities: Entity[]) =>
      named(entities, `moved-${account}`).spec?.owner;
    expect(ownerOf(catalogOf(a.connection))).toBe('group:default/network');

    const clients = await seedClients(account, 'us-east-1');
    await clients.kinesis('us-east-1').send(
      new AddTagsToStreamCommand({
        StreamName: seeded.streamName,
        Tags: { owner: 'group:default/security' },
      }),
    );
    // Within the maximum age a sync reuses what it read.
    clock.at(MINUTE);
    await a.refresh();
    expect(ownerOf(catalogOf(a.connection))).toBe('group:default/network');

    // A day-two action announces its change: replica B reads it at once.
    clock.at(2 * MINUTE);
    await viaProxy(() =>
      b.events.publish({
        topic: INTEGRATION_CREATED_TOPIC,
        eventPayload: {
          accountId: account,
          region: 'us-east-1',
          roleName: seeded.roleName,
          streamName: seeded.streamName,
        },
      }),
    );
    const [delta] = b.connection.applyMutation.mock.calls[0];
    expect(delta.type).toBe('delta');
    expect(ownerOf(delta.added.map((d: { entity: Entity }) => d.entity))).toBe(
      'group:default/security',
    );

    // Replica A's next sync does not put the older facts back.
    clock.at(3 * MINUTE);
    proxy.resetCalls();
    await a.refresh();
    expect(streamReads(catalogCalls())).toBe(0);
    const entity = named(catalogOf(a.connection), `moved-${account}`);
    expect(entity.spec?.owner).toBe('group:default/security');
    expect(readAtOf(entity)).toBe(
      Date.parse('2026-11-28T12:00:00Z') + 2 * MINUTE,
    );
  });

  it('forgets a decommissioned integration, so that no sync brings it back', async () => {
    const account = freshAccountId();
    const [gone] = await seed(account, 'us-east-1', ['gone', 'stays']);
    const { connection, events, refresh } = await setUp(account);
    await refresh();
    expect(catalogOf(connection).map(e => e.metadata.name)).toContain(
      `gone-${account}`,
    );

    await deleteIntegration(
      await seedClients(account, 'us-east-1'),
      'us-east-1',
      gone,
    );
    await viaProxy(() =>
      events.publish({
        topic: INTEGRATION_REMOVED_TOPIC,
        eventPayload: {
          accountId: account,
          entityRefs: ['', '-stream', '-role', '-policy'].map(
            part => `resource:default/gone-${account}${part}`,
          ),
        },
      }),
    );
    proxy.resetCalls();
    await refresh();
    expect(
      catalogOf(connection)
        .map(e => e.metadata.name)
        .filter(n => n.startsWith('gone-')),
    ).toEqual([]);
    // The region's listing is read again rather than reused.
    expect(count(catalogCalls(), 'kinesis:ListStreams')).toBe(1);
  });

  it('drops a stream deleted by hand whose role is gone, despite its cached facts', async () => {
    const account = freshAccountId();
    const [gone] = await seed(account, 'us-east-1', ['byhand', 'kept']);
    const { connection, refresh } = await setUp(account);
    await refresh();
    await deleteIntegration(
      await seedClients(account, 'us-east-1'),
      'us-east-1',
      gone,
    );
    await refresh();
    expect(
      catalogOf(connection)
        .map(e => e.metadata.name)
        .filter(n => n.startsWith('byhand-')),
    ).toEqual([]);
  });
});

describe('the read budget', () => {
  it('leaves streams not read yet when it is short, which the next syncs read', async () => {
    const account = freshAccountId();
    const clock = fakeClock();
    const names = Array.from({ length: 8 }, (_, i) => `slow-${i}`);
    await seed(account, 'us-east-1', names);
    const { connection, logger, refresh } = await setUp(
      account,
      {
        // Two streams a second for one second a sync: 8 need several.
        readBudget: { seconds: 1 },
        maxFactsAge: { minutes: 2 },
        apiRates: {
          perSecond: {
            'kinesis:DescribeStreamSummary': 2,
            'kinesis:ListTagsForStream': 2,
          },
        },
      },
      { now: clock.now },
    );
    clock.at(0);
    await refresh();
    let found = integrationsOf(catalogOf(connection));
    expect(found).toHaveLength(8);
    const pending = found.filter(e =>
      /^Not read yet/.test(
        e.metadata.annotations![ANNOTATIONS.factsError] ?? '',
      ),
    );
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.length).toBeLessThan(8);

    // The audit: facts not read yet, not a missing stream.
    const settings = resolveSettings();
    for (const entity of pending) {
      const annotations = entity.metadata.annotations!;
      expect(annotations).not.toHaveProperty(ANNOTATIONS.streamStatus);
      const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts])!;
      expect(facts).toMatchObject({
        streamUnreadable: true,
        streamPending: true,
      });
      const findings = auditIntegration(facts, {
        tagKeys: settings.tagKeys,
        requiredTags: defaultRequiredTags(settings.tagKeys),
        allowedValues: {},
      }).map(f => f.ruleId);
      expect(findings).not.toContain('counterpart-missing');
      expect(
        staleFactsFinding(annotations, {
          now: clock.now(),
          staleAfterMs: 2 * 60 * MINUTE,
        }),
      ).toMatchObject({
        ruleId: 'facts-stale',
        resource: 'stream',
        message: expect.stringMatching(/not been read from AWS yet/),
      });
    }

    // 8 streams at 2 a second for 1 s every minute take 4 minutes to
    // re-read: more than the 2 minutes asked for. Said once.
    const unreachable = () =>
      logger.warn.mock.calls.filter(([m]) =>
        /cannot all stay younger than catalog.providers.meterSiem.maxFactsAge \(2 minutes\)/.test(
          String(m),
        ),
      );
    expect(unreachable()).toHaveLength(1);
    expect(String(unreachable()[0][0])).toMatch(
      /8 streams at 2 kinesis:DescribeStreamSummary calls a second .* takes about 4 minutes/,
    );

    // The next syncs complete them, what was never read first.
    let syncs = 1;
    while (found.some(e => e.metadata.annotations![ANNOTATIONS.factsError])) {
      syncs += 1;
      expect(syncs).toBeLessThanOrEqual(8);
      clock.at((syncs - 1) * MINUTE);
      await refresh();
      found = integrationsOf(catalogOf(connection));
    }
    expect(syncs).toBeGreaterThan(1);
    for (const entity of found) {
      expect(entity.metadata.annotations![ANNOTATIONS.streamStatus]).toBe(
        'ACTIVE',
      );
    }
    expect(unreachable()).toHaveLength(1);
    expect(catalogCalls().filter(c => c.throttled)).toEqual([]);
  });

  it('keeps cached facts where Kinesis throttles beyond the retries, and says why', async () => {
    const account = freshAccountId();
    const clock = fakeClock();
    await seed(account, 'us-east-1', ['busy']);
    const { connection, logger, refresh } = await setUp(
      account,
      {},
      { now: clock.now, awsClient: { maxAttempts: 2 } },
    );
    clock.at(0);
    await refresh();
    // Twenty minutes on, the facts are due; another tool uses the budget.
    clock.at(20 * MINUTE);
    proxy.inject({
      operation: 'kinesis:ListTagsForStream',
      fault: 'throttle',
    });
    await refresh();
    const entity = named(catalogOf(connection), `busy-${account}`);
    expect(entity.metadata.annotations![ANNOTATIONS.streamStatus]).toBe(
      'ACTIVE',
    );
    expect(entity.metadata.annotations).not.toHaveProperty(
      ANNOTATIONS.factsError,
    );
    expect(readAtOf(entity)).toBe(Date.parse('2026-11-28T12:00:00Z'));
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /Kinesis throttled this sync's reads of AWS account \d+ in us-east-1 beyond the SDK's retries/,
      ),
    );
  });
});
