import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  AuditFinding,
  INTEGRATIONS_SYNCED_TOPIC,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
  compareFindings,
  defaultRequiredTags,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { entities } from './__testUtils__/fixtures';
import {
  AuditIndex,
  AuditSnapshot,
  buildSnapshot,
  queryFindings,
  readCatalog,
} from './auditIndex';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuditConfig } from './config';
import { AUDIT_INDEX_TOPICS, subscribeToFactChanges } from './events';

const HOUR = 3_600_000;
const { tagKeys } = resolveSettings();
const audit: AuditConfig = {
  tagKeys,
  requiredTags: defaultRequiredTags(tagKeys),
  allowedValues: {},
  staleAfterMs: 2 * HOUR,
  rotationMaxAgeMs: 24 * HOUR,
};
const knownOwners = new Set(['group:default/network', 'user:default/jane']);
const integrations = entities.filter(
  e => e.spec?.type === 'meter-siem-integration',
);
const t0 = Date.parse('2026-11-28T12:00:00.000Z');

/** The entity with these annotations, and these changes to its facts. */
function withFacts(
  entity: Entity,
  annotations: Record<string, string>,
  facts: (facts: any) => void = () => {},
): Entity {
  const current = JSON.parse(
    entity.metadata.annotations![ANNOTATIONS.auditFacts],
  );
  facts(current);
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        ...annotations,
        [ANNOTATIONS.auditFacts]: JSON.stringify(current),
      },
    },
  };
}

const query = (
  snapshot: AuditSnapshot,
  now: number,
  more: Partial<Parameters<typeof queryFindings>[1]> = {},
) =>
  queryFindings(
    snapshot,
    { filters: {}, ownershipRefs: new Set(), now, ...more },
    audit,
  );

describe('buildSnapshot and queryFindings', () => {
  const snapshot = buildSnapshot(integrations, knownOwners, audit, t0);

  it('computes the findings once, in the report order, the caller’s own first', () => {
    expect(snapshot.integrations).toHaveLength(4);
    expect(snapshot.findings).toHaveLength(8);
    const { findings } = query(snapshot, t0, {
      ownershipRefs: new Set(['group:default/ghosts']),
    });
    expect(findings).toEqual([...findings].sort(compareFindings));
    expect(
      findings.slice(0, 4).every(f => f.mine && f.integration === 'hand'),
    ).toBe(true);
    expect(findings.filter(f => f.mine)).toHaveLength(4);
    // The index's own findings are left as they were.
    expect(snapshot.findings.every(f => !f.mine)).toBe(true);
  });

  it('evaluates the findings that depend on the time per request, from the stored timestamps', () => {
    const readAt = new Date(t0).toISOString();
    const [clean, ...rest] = integrations;
    const stale = buildSnapshot(
      [
        withFacts(
          clean,
          {
            [ANNOTATIONS.factsReadAt]: readAt,
            [ANNOTATIONS.factsError]: 'AccessDenied: no',
          },
          facts => {
            facts.trust = {
              ...facts.trust,
              externalIdCount: 2,
              rotationStartedAt: readAt,
            };
          },
        ),
        ...rest,
      ],
      knownOwners,
      audit,
      t0,
    );
    const timely = (now: number) =>
      query(stale, now)
        .findings.filter(f => f.integration === 'clean')
        .map(f => [f.ruleId, f.message]);

    // Fresh facts, a rotation of an hour: nothing to say.
    expect(timely(t0 + HOUR)).toEqual([]);
    // Three hours on, from the same index: the facts are stale.
    expect(timely(t0 + 3 * HOUR)).toEqual([
      [
        'facts-stale',
        expect.stringMatching(
          /^The facts of this integration were read from AWS 3 hours ago .*; the syncs since failed: AccessDenied: no\./,
        ),
      ],
    ]);
    // The index keeps of the facts only what these rules read.
    expect(
      Object.keys(
        stale.integrations.find(i => i.place.integration === 'clean')?.facts ??
          {},
      ),
    ).toEqual(['roleArn', 'trust']);
    // A day and a half on: and the rotation is overdue.
    expect(timely(t0 + 36 * HOUR)).toEqual([
      ['facts-stale', expect.stringContaining('36 hours ago')],
      ['rotation-half-done', expect.stringContaining('started 36 hours ago')],
    ]);
    // In the report's order among the others.
    const all = query(stale, t0 + 36 * HOUR, {
      ownershipRefs: new Set(['group:default/network']),
    }).findings;
    expect(all).toHaveLength(10);
    expect(all).toEqual([...all].sort(compareFindings));
    expect(query(stale, t0).factsReadAt).toBe(readAt);
  });

  it('reports a stream not read yet whatever the time', () => {
    const [clean, ...rest] = integrations;
    const pending = buildSnapshot(
      [
        withFacts(clean, {}, facts => {
          facts.streamUnreadable = true;
          facts.streamPending = true;
        }),
        ...rest,
      ],
      knownOwners,
      audit,
      t0,
    );
    for (const now of [t0, t0 + 100 * HOUR]) {
      expect(
        query(pending, now, {
          filters: { rule: ['facts-stale'] },
        }).findings.map(f => [f.integration, f.resource]),
      ).toEqual([['clean', 'stream']]);
    }
  });

  it('keeps to the integrations the caller sees, and to one', () => {
    const seen = (f: AuditFinding[]) => [...new Set(f.map(x => x.integration))];
    expect(
      seen(
        query(snapshot, t0, {
          visible: i => i.place.accountId === '111111111111',
        }).findings,
      ),
    ).toEqual(['orphan']);
    expect(query(snapshot, t0, { visible: () => false }).findings).toEqual([]);
    const hand = snapshot.byRef('Resource:default/HAND-222222222222')!;
    expect(seen(query(snapshot, t0, { only: hand }).findings)).toEqual([
      'hand',
    ]);
    expect(
      query(snapshot, t0, { only: hand, filters: { severity: ['critical'] } })
        .findings,
    ).toHaveLength(1);
  });
});

/** A load the test resolves when it wants. */
function deferredLoads() {
  const pending: Array<{
    resolve: (s: AuditSnapshot) => void;
    reject: (e: Error) => void;
  }> = [];
  const load = jest.fn(
    () =>
      new Promise<AuditSnapshot>((resolve, reject) =>
        pending.push({ resolve, reject }),
      ),
  );
  return { load, pending };
}

const snapshotAt = (readAt: number) =>
  buildSnapshot(integrations, knownOwners, audit, readAt);

/** Waits (a few seconds at most) for what the index does in the background. */
async function until(condition: () => boolean) {
  for (let i = 0; i < 1000 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  expect(condition()).toBe(true);
}

describe('AuditIndex', () => {
  const logger = mockServices.logger.mock();
  const indexes: AuditIndex[] = [];
  const create = (
    options: Partial<ConstructorParameters<typeof AuditIndex>[0]>,
  ) => {
    const index = new AuditIndex({
      logger,
      load: async () => snapshotAt(0),
      ...options,
    });
    indexes.push(index);
    return index;
  };
  afterEach(() => indexes.splice(0).forEach(index => index.stop()));

  it('makes only the very first request wait, with one catalog read for all', async () => {
    const { load, pending } = deferredLoads();
    const index = create({ load });
    index.start();
    const first = index.snapshot();
    const second = index.snapshot();
    expect(load).toHaveBeenCalledTimes(1);
    const built = snapshotAt(1);
    pending[0].resolve(built);
    expect(await first).toBe(built);
    expect(await second).toBe(built);
  });

  it('builds soon after start-up, not during it, and once', async () => {
    const load = jest.fn(async () => snapshotAt(0));
    const index = create({ load, startDelayMs: 50 });
    index.start();
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(load).not.toHaveBeenCalled();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(load).toHaveBeenCalledTimes(1);
    await index.snapshot();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not build again at the start delay when a request built it', async () => {
    const load = jest.fn(async () => snapshotAt(0));
    const index = create({ load, startDelayMs: 50 });
    index.start();
    await index.snapshot();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves the current index while it is rebuilt in the background once too old', async () => {
    let now = 0;
    const { load, pending } = deferredLoads();
    const index = create({ load, now: () => now, refreshAfterMs: 60_000 });
    const first = index.snapshot();
    const old = snapshotAt(0);
    pending[0].resolve(old);
    expect(await first).toBe(old);

    now = 30_000;
    expect(await index.snapshot()).toBe(old);
    expect(load).toHaveBeenCalledTimes(1);

    now = 61_000;
    // Answered at once, from the old index, while the new one is read.
    expect(await index.snapshot()).toBe(old);
    expect(await index.snapshot()).toBe(old);
    expect(load).toHaveBeenCalledTimes(2);
    const fresh = snapshotAt(61_000);
    pending[1].resolve(fresh);
    await until(() => index.builds === 2);
    expect(await index.snapshot()).toBe(fresh);
  });

  it('rebuilds after an event of a sync, a creation or a removal', async () => {
    const load = jest.fn(async () => snapshotAt(0));
    const index = create({ load, settleMs: 0 });
    const subscribers: Array<{
      topics: string[];
      onEvent: (p: { topic: string; eventPayload: unknown }) => Promise<void>;
    }> = [];
    await subscribeToFactChanges(
      { subscribe: async options => void subscribers.push(options) },
      index,
    );
    expect(subscribers.map(s => s.topics)).toEqual([AUDIT_INDEX_TOPICS]);
    expect(AUDIT_INDEX_TOPICS).toEqual([
      INTEGRATIONS_SYNCED_TOPIC,
      INTEGRATION_CREATED_TOPIC,
      INTEGRATION_REMOVED_TOPIC,
    ]);
    await index.snapshot();
    expect(load).toHaveBeenCalledTimes(1);

    for (const [i, topic] of AUDIT_INDEX_TOPICS.entries()) {
      await subscribers[0].onEvent({ topic, eventPayload: {} });
      await until(() => index.builds === i + 2);
    }
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('gathers the events of a burst into one rebuild, after them', async () => {
    const load = jest.fn(async () => snapshotAt(0));
    const index = create({ load, settleMs: 20 });
    await index.snapshot();
    for (let i = 0; i < 5; i++) index.invalidate();
    await until(() => index.builds === 2);
    // Nothing more comes of the burst.
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('reads again after a build that started before the facts changed', async () => {
    const { load, pending } = deferredLoads();
    const index = create({ load, settleMs: 0 });
    const first = index.snapshot();
    // The facts change while the first read is under way.
    index.invalidate();
    await new Promise(resolve => setTimeout(resolve, 5));
    expect(load).toHaveBeenCalledTimes(1);
    pending[0].resolve(snapshotAt(0));
    await first;
    await until(() => load.mock.calls.length === 2);
    const after = snapshotAt(1);
    pending[1].resolve(after);
    await until(() => index.builds === 2);
    expect(await index.snapshot()).toBe(after);
  });

  it('keeps the previous index when a rebuild fails, and fails the first request only when there is none', async () => {
    let now = 0;
    const { load, pending } = deferredLoads();
    const index = create({ load, now: () => now, refreshAfterMs: 60_000 });
    const failed = index.snapshot();
    pending[0].reject(new Error('catalog down'));
    await expect(failed).rejects.toThrow('catalog down');

    // The next request tries again.
    const retried = index.snapshot();
    const built = snapshotAt(0);
    pending[1].resolve(built);
    expect(await retried).toBe(built);

    now = 61_000;
    expect(await index.snapshot()).toBe(built);
    pending[2].reject(new Error('catalog down again'));
    await until(() => logger.warn.mock.calls.length === 2);
    expect(await index.snapshot()).toBe(built);
    expect(logger.warn).toHaveBeenLastCalledWith(
      expect.stringContaining(
        'serving the previous one: Error: catalog down again',
      ),
    );
  });
});

describe('readCatalog', () => {
  it('reads every integration, page after page, and the owners', async () => {
    const many: Entity[] = Array.from({ length: 1203 }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: `integration-${i}`, namespace: 'default' },
      spec: { type: 'meter-siem-integration', owner: 'group:default/team' },
    }));
    const others: Entity[] = [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'a-stream', namespace: 'default' },
        spec: { type: 'kinesis-stream' },
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'Team', namespace: 'default' },
        spec: { type: 'team', children: [] },
      },
    ];
    const catalog = catalogServiceMock({
      entities: [...many, ...others],
    });
    const pages = jest.spyOn(catalog, 'queryEntities');
    const read = await readCatalog(catalog, mockServices.auth());
    expect(read.integrations.map(e => e.metadata.name).sort()).toEqual(
      many.map(e => e.metadata.name).sort(),
    );
    expect(pages.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect([...read.knownOwners]).toEqual(['group:default/team']);
  });
});
