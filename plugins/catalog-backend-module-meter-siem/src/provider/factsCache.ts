import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/config';
import {
  SilenceAlarmFacts,
  StreamFacts,
} from '@internal/backstage-plugin-meter-siem-common';
import { packJson, unpackJson } from './packed';

/** A stream's cached facts. Short keys: 5,000 of them share one entry. */
export interface StreamRecord {
  /** When the stream was read (ms since the epoch). */
  r: number;
  /** Its summary and tags, without the alarm; `null`: it did not exist. */
  f: Omit<StreamFacts, 'silenceAlarm'> | null;
  /**
   * Its alarms on IncomingRecords, read for this stream alone (after a
   * registration or a change), when newer than the region's.
   */
  a?: { r: number; l: SilenceAlarmFacts[] };
  /** The catalog name of its integration, to forget it on decommission. */
  e?: string;
  /**
   * Read as a stream left behind (no role named it). Facts read while a
   * role named it are not reused for a stream left behind: its role is
   * gone, so the stream may be too.
   */
  o?: true;
}

/** What the provider keeps of one account's region between syncs. */
export interface RegionFacts {
  /** By stream name. */
  streams: Record<string, StreamRecord>;
  /** The names of the region's streams named with the product's prefix. */
  listing?: { r: number; names: string[] };
  /** The region's alarms on IncomingRecords, by stream name. */
  alarms?: { r: number; byStream: Record<string, SilenceAlarmFacts[]> };
  /** When a sync last planned this region's reads. */
  syncedAt?: number;
}

const VERSION = 'v1';

/**
 * The facts of each account's regions in the Backstage cache service: one
 * entry per account and region (gzipped JSON, so that 5,000 streams fit in
 * a Memcache item), and one per account listing its regions. With a shared
 * store (Redis, Memcache) every replica sees what any replica read, so the
 * next sync reuses it wherever the scheduler runs it.
 *
 * A cache that fails is logged and treated as empty: the sync then reads
 * within its budget as if it were the first.
 */
export class FactsCache {
  readonly #cache: CacheService;
  readonly #ttlMs: number;
  readonly #onError: (message: string) => void;

  constructor(
    cache: CacheService,
    options: { ttlMs: number; onError: (message: string) => void },
  ) {
    this.#cache = cache;
    this.#ttlMs = options.ttlMs;
    this.#onError = options.onError;
  }

  async load(
    accountId: string,
    region: string,
  ): Promise<RegionFacts | undefined> {
    try {
      const stored = await this.#cache.get<JsonValue>(
        regionKey(accountId, region),
      );
      return stored === undefined ? undefined : decode(stored);
    } catch (error) {
      this.#onError(
        `Could not read the cached stream facts of AWS account ${accountId} in ${region}: ${error}`,
      );
      return undefined;
    }
  }

  /**
   * Merges `facts` into what is stored (the newer read of each part wins,
   * so a sync does not put back older facts than a registration's) and
   * stores the result, which it returns.
   */
  async merge(
    accountId: string,
    region: string,
    facts: RegionFacts,
    options: { prune?: (name: string, record: StreamRecord) => boolean } = {},
  ): Promise<RegionFacts> {
    const stored = await this.load(accountId, region);
    const merged = mergeRegionFacts(stored, facts, options.prune);
    await this.save(accountId, region, merged);
    if (!stored) await this.#addRegion(accountId, region);
    return merged;
  }

  async save(
    accountId: string,
    region: string,
    facts: RegionFacts,
  ): Promise<void> {
    try {
      await this.#cache.set(regionKey(accountId, region), encode(facts), {
        ttl: this.#ttlMs,
      });
    } catch (error) {
      this.#onError(
        `Could not cache the stream facts of AWS account ${accountId} in ${region}: ${error}`,
      );
    }
  }

  /** The regions of the account with cached facts. */
  async regions(accountId: string): Promise<string[]> {
    try {
      const regions = await this.#cache.get<string[]>(regionsKey(accountId));
      return Array.isArray(regions) ? regions : [];
    } catch {
      return [];
    }
  }

  /**
   * Forgets the streams of these integrations (by catalog name) and the
   * listings of their regions, so that no sync brings a decommissioned
   * stream back from the cache.
   */
  async forgetIntegrations(
    accountId: string,
    entityNames: Set<string>,
  ): Promise<number> {
    let forgotten = 0;
    for (const region of await this.regions(accountId)) {
      const stored = await this.load(accountId, region);
      if (!stored) continue;
      const streams = Object.entries(stored.streams);
      const kept = streams.filter(([, r]) => !r.e || !entityNames.has(r.e));
      if (kept.length === streams.length) continue;
      forgotten += streams.length - kept.length;
      await this.save(accountId, region, {
        ...stored,
        streams: Object.fromEntries(kept),
        listing: undefined,
      });
    }
    return forgotten;
  }

  async #addRegion(accountId: string, region: string) {
    const regions = await this.regions(accountId);
    if (regions.includes(region)) return;
    try {
      await this.#cache.set(regionsKey(accountId), [...regions, region], {
        ttl: this.#ttlMs,
      });
    } catch {
      // The index only serves decommissions; the next save adds it again.
    }
  }
}

function regionKey(accountId: string, region: string) {
  return `meter-siem-facts:${VERSION}:${accountId}:${region}`;
}

function regionsKey(accountId: string) {
  return `meter-siem-facts:${VERSION}:${accountId}:regions`;
}

function encode(facts: RegionFacts): JsonValue {
  return {
    gz: packJson(facts).toString('base64'),
  };
}

function decode(stored: JsonValue): RegionFacts | undefined {
  try {
    const gz = (stored as { gz?: unknown })?.gz;
    if (typeof gz !== 'string') return undefined;
    const facts = unpackJson<RegionFacts>(Buffer.from(gz, 'base64'));
    return facts && typeof facts.streams === 'object' ? facts : undefined;
  } catch {
    // Written by another version, or damaged: read the region afresh.
    return undefined;
  }
}

function newer<T extends { r: number }>(a?: T, b?: T): T | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.r >= a.r ? b : a;
}

/**
 * The union of two states of a region, the newer read of each part
 * winning (`mine` on a tie). `prune` drops streams no longer wanted.
 */
export function mergeRegionFacts(
  stored: RegionFacts | undefined,
  mine: RegionFacts,
  prune?: (name: string, record: StreamRecord) => boolean,
): RegionFacts {
  const streams: Record<string, StreamRecord> = {};
  const names = new Set([
    ...Object.keys(stored?.streams ?? {}),
    ...Object.keys(mine.streams),
  ]);
  for (const name of names) {
    const a = stored?.streams[name];
    const b = mine.streams[name];
    const record = { ...newer(a, b)! };
    const alarms = newer(a?.a, b?.a);
    if (alarms) record.a = alarms;
    const entity = b?.e ?? a?.e;
    if (entity) record.e = entity;
    if (prune?.(name, record)) continue;
    streams[name] = record;
  }
  return {
    streams,
    listing: newer(stored?.listing, mine.listing),
    alarms: newer(stored?.alarms, mine.alarms),
    syncedAt: Math.max(stored?.syncedAt ?? 0, mine.syncedAt ?? 0) || undefined,
  };
}

/**
 * A cache in this process's memory, for a provider made without the cache
 * service (the scheduler then runs every sync of an account here anyway
 * when there is one replica).
 */
export function memoryCache(): CacheService {
  const entries = new Map<string, { value: string; expires: number }>();
  const cache: CacheService = {
    async get<T extends JsonValue>(key: string) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return JSON.parse(entry.value) as T;
    },
    async set(key, value, options) {
      const ttl = typeof options?.ttl === 'number' ? options.ttl : 3_600_000;
      entries.set(key, {
        value: JSON.stringify(value),
        expires: Date.now() + ttl,
      });
    },
    async delete(key) {
      entries.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}
