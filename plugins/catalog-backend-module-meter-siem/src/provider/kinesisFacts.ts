import {
  CloudWatchClient,
  DescribeAlarmsForMetricCommand,
  MetricAlarm,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamsCommand,
  ListStreamsCommandOutput,
  ListTagsForStreamCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { stringifyError } from '@backstage/errors';
import {
  SILENCE_ALARM,
  SilenceAlarmFacts,
  StreamFacts,
  incomingRecordsStream,
  parseArn,
  pickSilenceAlarm,
  resourceName,
  silenceAlarmFacts,
  streamArn as streamArnOf,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  MultiRegionClients as AccountClients,
  isAborted,
  isThrottlingError,
} from '@internal/backstage-plugin-meter-siem-node';
import { FactsCache, RegionFacts, StreamRecord } from './factsCache';
import { planRefresh } from './refreshPlan';

/** A stream's facts as a sync uses them. */
export interface StreamRead {
  /** With its alarm on silence when the alarms were read; absent: gone. */
  stream?: StreamFacts;
  /** When the oldest of them (summary and tags, alarms) was read. */
  readAt: number;
}

/** A stream's facts, or `pending`: never read, and not read in this sync. */
export type StreamOutcome = StreamRead | 'pending';

export interface CollectRequest {
  /** The stream ARNs the roles trusted by Meter name. */
  paired: string[];
  /** The regions listed for streams left behind. */
  listRegions: string[];
  /** Whether a listed stream may be an integration's (the name prefix). */
  isCandidate(name: string): boolean;
  /**
   * Filled with the regions whose Kinesis could not be read, and why: their
   * integrations carry `streamError`, and their streams left behind are not
   * listed.
   */
  failedRegions: Map<string, string>;
}

export interface Collected {
  /** By stream ARN: the paired and left-behind streams, but a failed region's. */
  streams: Map<string, StreamOutcome>;
  /** The listed candidate streams no role names (ARNs). */
  leftBehind: string[];
}

/** Where discovery gets the facts of streams and their alarms. */
export interface StreamFactsSource {
  /** A sync's streams: what it re-reads and what it reuses. */
  collect(request: CollectRequest): Promise<Collected>;
  /** Reads these streams now, whatever is cached (a registration). */
  readNow(
    streamArns: string[],
    failedRegions: Map<string, string>,
  ): Promise<Map<string, StreamOutcome>>;
}

/** How a sync reuses cached facts. */
export interface ReadPolicy {
  maxAgeMs: number;
  /** The time between syncs. */
  intervalMs: number;
  /** The time a sync may spend reading streams. */
  readBudgetMs: number;
  /**
   * The sync's timeout: its reads end early enough for the rest of the sync
   * (as long again as what came before them) to finish within three
   * quarters of it, whatever the budget.
   */
  timeoutMs?: number;
}

export interface StreamFactsStats {
  /** Streams whose cached facts were used as they were. */
  reused: number;
  /** Streams read in this sync. */
  reread: number;
  /** Streams never read, and not read in this sync either. */
  pending: number;
  /** Cached facts that will be past the maximum age by the next sync. */
  overdue: number;
  /** Streams wanted, by region: what the rates must keep up with. */
  streamsByRegion: Map<string, number>;
  /** Regions whose reads Kinesis throttled beyond the SDK's retries. */
  throttled: string[];
  /** Regions whose ListStreams and DescribeAlarms were read (not reused). */
  listed: string[];
  alarmsRead: string[];
}

/** Streams read at once per region; the rate limiter paces them. */
const DEFAULT_CONCURRENCY = 4;

/**
 * Reads the streams of one account, reusing cached facts younger than the
 * policy's maximum age and re-reading the oldest within the sync's read
 * budget (see {@link planRefresh}). Without a policy (or a cache) it reads
 * everything, as a plain discovery does.
 *
 * Each region is read on its own (AWS's Kinesis rates are per region), all
 * at once; within a region a few streams at a time, paced by the clients'
 * rate limiter. A stream Kinesis throttles beyond the SDK's retries stops
 * that region's reads for this sync (the rest keep their cached facts);
 * any other error fails the region as before.
 */
export class StreamFactsReader implements StreamFactsSource {
  readonly stats: StreamFactsStats = {
    reused: 0,
    reread: 0,
    pending: 0,
    overdue: 0,
    streamsByRegion: new Map(),
    throttled: [],
    listed: [],
    alarmsRead: [],
  };
  readonly #clients: AccountClients;
  readonly #cache?: FactsCache;
  readonly #policy?: ReadPolicy;
  readonly #now: () => number;
  readonly #concurrency: number;
  readonly #onWarning?: (message: string) => void;
  readonly #signal?: AbortSignal;
  readonly #startedAt: number;
  /** The read time of every stream outcome handed out, by ARN. */
  readonly #readAt = new Map<string, number>();

  constructor(options: {
    clients: AccountClients;
    cache?: FactsCache;
    policy?: ReadPolicy;
    /** The clock of the facts' read times (ms since the epoch). */
    now?: () => number;
    concurrency?: number;
    onWarning?: (message: string) => void;
    signal?: AbortSignal;
    /** When the sync started (`Date.now()`), for its timeout. */
    startedAt?: number;
  }) {
    this.#clients = options.clients;
    this.#cache = options.cache;
    this.#policy = options.cache ? options.policy : undefined;
    this.#now = options.now ?? Date.now;
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.#onWarning = options.onWarning;
    this.#signal = options.signal;
    this.#startedAt = options.startedAt ?? Date.now();
  }

  /** When the facts of this stream handed out were read, if it was. */
  readAtOf(streamArn: string): number | undefined {
    return this.#readAt.get(streamArn);
  }

  async collect(request: CollectRequest): Promise<Collected> {
    const deadline = this.#deadline();
    const paired = new Map<string, Set<string>>();
    for (const arn of request.paired) {
      const { region } = parseArn(arn);
      const names = paired.get(region) ?? new Set<string>();
      names.add(resourceName(arn));
      paired.set(region, names);
    }
    const listed = new Set(request.listRegions);
    const regions = [...new Set([...paired.keys(), ...listed])];
    const results = await Promise.all(
      regions.map(region =>
        this.#collectRegion(region, {
          paired: paired.get(region) ?? new Set(),
          list: listed.has(region),
          request,
          deadline,
        }),
      ),
    );
    return {
      streams: new Map(results.flatMap(r => [...r.streams])),
      leftBehind: results.flatMap(r => r.leftBehind),
    };
  }

  /** When a sync stops starting stream reads (`Date.now()` time). */
  #deadline(): number {
    const policy = this.#policy;
    if (!policy) return Number.POSITIVE_INFINITY;
    const now = Date.now();
    const budget = now + policy.readBudgetMs;
    if (!policy.timeoutMs) return budget;
    // What came before (IAM) will come again after (the re-read of roles).
    const before = now - this.#startedAt;
    return Math.min(budget, this.#startedAt + policy.timeoutMs * 0.75 - before);
  }

  async #collectRegion(
    region: string,
    options: {
      paired: Set<string>;
      list: boolean;
      request: CollectRequest;
      deadline: number;
    },
  ): Promise<Collected> {
    const { paired, list, request, deadline } = options;
    const { accountId } = this.#clients;
    const policy = this.#policy;
    const cache = this.#cache;
    const kinesis = this.#clients.kinesis(region);
    const now = this.#now();
    const stored = policy ? await cache?.load(accountId, region) : undefined;
    const entry: RegionFacts = stored
      ? structuredClone(stored)
      : { streams: {} };
    const maxAgeMs = policy?.maxAgeMs ?? 0;
    const horizonMs = policy ? policy.intervalMs + policy.readBudgetMs : 0;
    const due = (readAt: number) =>
      !policy || now - readAt + horizonMs >= maxAgeMs;
    const failed = () => request.failedRegions.has(region);
    const fail = (error: unknown) => {
      if (!failed()) {
        request.failedRegions.set(
          region,
          `Kinesis in ${region}: ${stringifyError(error)}`,
        );
      }
    };
    const isOrphan = (name: string) =>
      request.isCandidate(name) && !paired.has(name);
    /**
     * Cached facts a sync may use for this stream: those of a stream left
     * behind only if read as such (when its role disappears, it is read
     * again, as it may be gone with it).
     */
    const usable = (name: string, record?: StreamRecord) =>
      record && (!isOrphan(name) || record.o) ? record : undefined;
    const plan = (names: string[]) =>
      planRefresh(
        names.map(key => ({
          key,
          readAt: policy ? usable(key, entry.streams[key])?.r : undefined,
        })),
        {
          now,
          maxAgeMs,
          horizonMs,
          elapsedMs: entry.syncedAt !== undefined ? now - entry.syncedAt : 0,
        },
      );

    const listingDue = list && (!entry.listing || due(entry.listing.r));
    let orphans =
      list && !listingDue ? entry.listing!.names.filter(isOrphan) : [];
    const first = plan([...paired, ...orphans]);
    this.stats.overdue += first.overdue;
    const queue = [...first.read];
    const read = new Set<string>();
    let throttled = false;

    let listingDone = !listingDue;
    const listing = listingDue
      ? (async () => {
          const readAt = this.#now();
          try {
            const names = (await listStreamNames(kinesis)).filter(
              request.isCandidate,
            );
            entry.listing = { r: readAt, names };
            this.stats.listed.push(region);
          } catch (error) {
            this.#rethrowIfAborted(error);
            if (isThrottlingError(error)) throttled = true;
            else fail(error);
          }
          // On throttling, the listing cached before, if any.
          orphans = (entry.listing?.names ?? []).filter(isOrphan);
          const planned = new Set([...queue, ...read]);
          queue.unshift(...plan(orphans).read.filter(n => !planned.has(n)));
          listingDone = true;
        })()
      : Promise.resolve();

    const worker = async () => {
      for (;;) {
        if (throttled || failed() || Date.now() >= deadline) return;
        const name = queue.shift();
        if (name === undefined) {
          if (listingDone) return;
          await listing;
          continue;
        }
        const readAt = this.#now();
        try {
          const facts = await readStream(kinesis, name);
          const before: Partial<StreamRecord> = { ...entry.streams[name] };
          delete before.o;
          entry.streams[name] = {
            ...before,
            r: readAt,
            f: facts ?? null,
            ...(isOrphan(name) && { o: true as const }),
          };
          read.add(name);
        } catch (error) {
          this.#rethrowIfAborted(error);
          if (isThrottlingError(error)) throttled = true;
          else fail(error);
          return;
        }
      }
    };

    // A stream read for the first time is read with its alarms: the
    // region's, read before it existed, would say it has none.
    const alarmsDue =
      !entry.alarms ||
      due(entry.alarms.r) ||
      first.read.some(name => !usable(name, entry.streams[name]));
    const alarms = alarmsDue
      ? (async () => {
          await listing;
          if (failed() || (paired.size === 0 && orphans.length === 0)) return;
          const readAt = this.#now();
          try {
            const byStream = await readAlarms(this.#clients.cloudwatch(region));
            entry.alarms = {
              r: readAt,
              byStream: Object.fromEntries(byStream),
            };
            this.stats.alarmsRead.push(region);
          } catch (error) {
            this.#rethrowIfAborted(error);
            this.#onWarning?.(
              `Could not read the CloudWatch alarms of AWS account ${accountId} in ${region} (the audit cannot tell which streams alarm on silence${
                entry.alarms ? ', beyond what an earlier read found' : ''
              }): ${stringifyError(error)}`,
            );
          }
        })()
      : Promise.resolve();

    await Promise.all([
      listing,
      alarms,
      ...Array.from({ length: this.#concurrency }, worker),
    ]);

    entry.syncedAt = now;
    const wanted = new Set([...paired, ...orphans]);
    const merged =
      policy && cache
        ? await cache.merge(accountId, region, entry, {
            // What no role names and no listing shows any more, unless a
            // registration read it since this sync started.
            prune: failed()
              ? undefined
              : (name, record) => !wanted.has(name) && record.r < now,
          })
        : entry;

    if (throttled) this.stats.throttled.push(region);
    this.stats.streamsByRegion.set(region, wanted.size);
    const streams = new Map<string, StreamOutcome>();
    if (failed()) return { streams, leftBehind: [] };
    for (const name of wanted) {
      const arn = streamArnOf(region, accountId, name);
      const record = usable(name, merged.streams[name]);
      if (!record) {
        this.stats.pending += 1;
        streams.set(arn, 'pending');
        continue;
      }
      this.stats[read.has(name) ? 'reread' : 'reused'] += 1;
      streams.set(arn, this.#outcome(arn, name, record, merged.alarms));
    }
    return {
      streams,
      leftBehind: orphans.map(name => streamArnOf(region, accountId, name)),
    };
  }

  async readNow(
    streamArns: string[],
    failedRegions: Map<string, string>,
  ): Promise<Map<string, StreamOutcome>> {
    const { accountId } = this.#clients;
    const byRegion = new Map<string, Set<string>>();
    for (const arn of streamArns) {
      const { region } = parseArn(arn);
      byRegion.set(
        region,
        (byRegion.get(region) ?? new Set()).add(resourceName(arn)),
      );
    }
    const outcomes = new Map<string, StreamOutcome>();
    for (const [region, names] of byRegion) {
      if (failedRegions.has(region)) continue;
      const entry: RegionFacts = { streams: {} };
      const kinesis = this.#clients.kinesis(region);
      for (const name of names) {
        const readAt = this.#now();
        try {
          const facts = await readStream(kinesis, name);
          const record: StreamRecord = { r: readAt, f: facts ?? null };
          if (facts) {
            const alarmsAt = this.#now();
            try {
              record.a = {
                r: alarmsAt,
                l: await readStreamAlarms(
                  this.#clients.cloudwatch(region),
                  name,
                ),
              };
            } catch (error) {
              this.#rethrowIfAborted(error);
              this.#onWarning?.(
                `Could not read the CloudWatch alarms of stream ${name} of AWS account ${accountId} in ${region}: ${stringifyError(
                  error,
                )}`,
              );
            }
          }
          entry.streams[name] = record;
        } catch (error) {
          this.#rethrowIfAborted(error);
          // One region's Kinesis failing leaves the others' facts fresh.
          failedRegions.set(
            region,
            `Kinesis in ${region}: ${stringifyError(error)}`,
          );
          break;
        }
      }
      const merged = this.#cache
        ? await this.#cache.merge(accountId, region, entry)
        : entry;
      if (failedRegions.has(region)) continue;
      for (const name of names) {
        const arn = streamArnOf(region, accountId, name);
        const record = merged.streams[name] ?? entry.streams[name];
        outcomes.set(arn, this.#outcome(arn, name, record, merged.alarms));
      }
    }
    return outcomes;
  }

  /**
   * Records the catalog name of each stream's integration in the cache,
   * where it differs from what is recorded: a decommission names entities.
   */
  async recordEntityNames(byStreamArn: Map<string, string>): Promise<void> {
    const cache = this.#cache;
    if (!cache) return;
    const { accountId } = this.#clients;
    const byRegion = new Map<string, Map<string, string>>();
    for (const [arn, entityName] of byStreamArn) {
      const { region } = parseArn(arn);
      const names = byRegion.get(region) ?? new Map<string, string>();
      names.set(resourceName(arn), entityName);
      byRegion.set(region, names);
    }
    for (const [region, names] of byRegion) {
      const stored = await cache.load(accountId, region);
      if (!stored) continue;
      let changed = false;
      for (const [name, entityName] of names) {
        const record = stored.streams[name];
        if (record && record.e !== entityName) {
          record.e = entityName;
          changed = true;
        }
      }
      if (changed) await cache.save(accountId, region, stored);
    }
  }

  #outcome(
    arn: string,
    name: string,
    record: StreamRecord,
    regionAlarms: RegionFacts['alarms'],
  ): StreamRead {
    let readAt = record.r;
    let stream: StreamFacts | undefined;
    if (record.f) {
      const region = regionAlarms && {
        r: regionAlarms.r,
        l: regionAlarms.byStream[name] ?? [],
      };
      const alarms =
        record.a && (!region || record.a.r > region.r) ? record.a : region;
      stream = { ...record.f };
      if (alarms) {
        stream.silenceAlarm = pickSilenceAlarm(name, alarms.l) ?? null;
        readAt = Math.min(readAt, alarms.r);
      }
    }
    this.#readAt.set(arn, readAt);
    return { stream, readAt };
  }

  #rethrowIfAborted(error: unknown) {
    if (this.#signal?.aborted || isAborted(error)) throw error;
  }
}

async function readStream(
  kinesis: KinesisClient,
  StreamName: string,
): Promise<Omit<StreamFacts, 'silenceAlarm'> | undefined> {
  try {
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName }),
    );
    // By name rather than ARN: the calls are the same to AWS, and moto
    // implements only the name-based tag call. A stream has at most 50 tags.
    const { Tags } = await kinesis.send(
      new ListTagsForStreamCommand({ StreamName, Limit: 50 }),
    );
    return {
      name: StreamName,
      tags: tagsToRecord(Tags),
      status: summary?.StreamStatus,
      capacityMode: summary?.StreamModeDetails?.StreamMode,
      openShardCount: summary?.OpenShardCount,
      retentionHours: summary?.RetentionPeriodHours,
      encryptionType: summary?.EncryptionType,
      keyId: summary?.KeyId,
      enhancedMetrics: (summary?.EnhancedMonitoring ?? []).flatMap(
        m => m.ShardLevelMetrics ?? [],
      ),
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Every stream name of a region. AWS pages ListStreams with NextToken; older
 * implementations (and moto) only with ExclusiveStartStreamName, so the loop
 * follows whichever the answer offers, as long as it says there is more.
 */
async function listStreamNames(kinesis: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  let page: ListStreamsCommandOutput | undefined;
  do {
    page = await kinesis.send(
      new ListStreamsCommand(
        page?.NextToken
          ? { NextToken: page.NextToken }
          : { Limit: 100, ExclusiveStartStreamName: names[names.length - 1] },
      ),
    );
    names.push(...(page.StreamNames ?? []));
  } while (page.HasMoreStreams && (page.StreamNames?.length ?? 0) > 0);
  return names;
}

/**
 * The alarms on each stream's IncomingRecords in a region: one paginated
 * DescribeAlarms, 100 alarms a call.
 */
async function readAlarms(
  cloudwatch: CloudWatchClient,
): Promise<Map<string, SilenceAlarmFacts[]>> {
  const alarms = new Map<string, SilenceAlarmFacts[]>();
  const add = (alarm: MetricAlarm) => {
    const stream = incomingRecordsStream(alarm);
    if (!stream) return;
    alarms.set(stream, [
      ...(alarms.get(stream) ?? []),
      silenceAlarmFacts(alarm),
    ]);
  };
  for await (const page of paginateDescribeAlarms(
    { client: cloudwatch, pageSize: 100 },
    { AlarmTypes: ['MetricAlarm'] },
  )) {
    (page.MetricAlarms ?? []).forEach(add);
  }
  return alarms;
}

/** The alarms on one stream's IncomingRecords: one DescribeAlarmsForMetric. */
async function readStreamAlarms(
  cloudwatch: CloudWatchClient,
  streamName: string,
): Promise<SilenceAlarmFacts[]> {
  const { MetricAlarms = [] } = await cloudwatch.send(
    new DescribeAlarmsForMetricCommand({
      Namespace: SILENCE_ALARM.namespace,
      MetricName: SILENCE_ALARM.metricName,
      Dimensions: [{ Name: 'StreamName', Value: streamName }],
    }),
  );
  return MetricAlarms.filter(
    alarm => incomingRecordsStream(alarm) === streamName,
  ).map(silenceAlarmFacts);
}
