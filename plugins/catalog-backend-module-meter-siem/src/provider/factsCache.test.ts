import {
  FactsCache,
  RegionFacts,
  memoryCache,
  mergeRegionFacts,
} from './factsCache';

const stream = (name: string) => ({
  name,
  tags: { owner: 'group:default/network' },
  status: 'ACTIVE',
});

describe('mergeRegionFacts', () => {
  it('keeps the newer read of each stream, listing and alarms', () => {
    const stored: RegionFacts = {
      streams: {
        a: { r: 10, f: stream('a'), e: 'a-1' },
        b: { r: 30, f: stream('b'), a: { r: 30, l: [] } },
      },
      listing: { r: 5, names: ['a'] },
      alarms: { r: 40, byStream: {} },
      syncedAt: 10,
    };
    const mine: RegionFacts = {
      streams: {
        a: { r: 20, f: null },
        b: { r: 25, f: stream('b') },
        c: { r: 20, f: stream('c'), o: true },
      },
      listing: { r: 20, names: ['a', 'c'] },
      alarms: { r: 20, byStream: {} },
      syncedAt: 20,
    };
    expect(mergeRegionFacts(stored, mine)).toEqual({
      streams: {
        // Mine is newer; the entity name recorded before stays.
        a: { r: 20, f: null, e: 'a-1' },
        // A registration read it after this sync: it wins, alarm and all.
        b: { r: 30, f: stream('b'), a: { r: 30, l: [] } },
        c: { r: 20, f: stream('c'), o: true },
      },
      listing: { r: 20, names: ['a', 'c'] },
      alarms: { r: 40, byStream: {} },
      syncedAt: 20,
    });
  });

  it('drops what is pruned', () => {
    const merged = mergeRegionFacts(
      { streams: { old: { r: 1, f: null }, kept: { r: 1, f: null } } },
      { streams: {} },
      name => name === 'old',
    );
    expect(Object.keys(merged.streams)).toEqual(['kept']);
  });
});

describe('FactsCache', () => {
  it('stores each region as compressed JSON, and forgets decommissioned integrations', async () => {
    const store = memoryCache();
    const set = jest.spyOn(store, 'set');
    const cache = new FactsCache(store, { ttlMs: 60_000, onError: jest.fn() });
    const streams = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [
        `meter-siem-${i}`,
        {
          r: 1,
          f: {
            ...stream(`meter-siem-${i}`),
            capacityMode: 'PROVISIONED',
            openShardCount: 1,
            retentionHours: 48,
            encryptionType: 'KMS',
            keyId: 'alias/aws/kinesis',
            enhancedMetrics: ['IncomingBytes', 'IncomingRecords'],
          },
          e: `i${i}-111122223333`,
        },
      ]),
    );
    await cache.merge('111122223333', 'us-east-1', {
      streams,
      listing: { r: 1, names: Object.keys(streams) },
    });
    // Within a Memcache item's default 1 MB, and JSON.
    const [key, value, options] = set.mock.calls[0];
    expect(key).toBe('meter-siem-facts:v1:111122223333:us-east-1');
    expect(JSON.stringify(value).length).toBeLessThan(1_000_000);
    expect(options).toEqual({ ttl: 60_000 });
    expect(await cache.regions('111122223333')).toEqual(['us-east-1']);

    const loaded = await cache.load('111122223333', 'us-east-1');
    expect(Object.keys(loaded!.streams)).toHaveLength(5000);

    expect(
      await cache.forgetIntegrations(
        '111122223333',
        new Set(['i7-111122223333', 'i7-111122223333-stream']),
      ),
    ).toBe(1);
    const after = await cache.load('111122223333', 'us-east-1');
    expect(after!.streams).not.toHaveProperty('meter-siem-7');
    expect(after!.listing).toBeUndefined();
  });

  it('reads nothing from a failing store, and says so', async () => {
    const onError = jest.fn();
    const cache = new FactsCache(
      {
        ...memoryCache(),
        get: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
      { ttlMs: 1000, onError },
    );
    expect(await cache.load('111122223333', 'us-east-1')).toBeUndefined();
    expect(onError).toHaveBeenCalledWith(
      expect.stringMatching(
        /Could not read the cached stream facts.*ECONNREFUSED/,
      ),
    );
  });
});
