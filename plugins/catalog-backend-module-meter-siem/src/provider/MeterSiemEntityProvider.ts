import {
  CacheService,
  DatabaseService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { stringifyError } from '@backstage/errors';
import { createHash, randomUUID } from 'node:crypto';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import {
  ANNOTATIONS,
  EntityBuildOptions,
  isIntegrationEntity,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
  INTEGRATIONS_SYNCED_TOPIC,
  IntegrationCreatedEvent,
  IntegrationRemovedEvent,
  ResourceEntity,
  buildIntegrationEntities,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  AwsRateLimiter,
  MultiRegionClients,
  PacedCallObserver,
  readAwsClientSettings,
  withRateLimits,
} from '@internal/backstage-plugin-meter-siem-node';
import { AccountScope, FactsFreshness, readProviderConfig } from './config';
import {
  discoverIntegrations,
  readIntegrationsCreatedSince,
  readRoleIntegrations,
  withLateIntegrations,
} from './discover';
import { FactsCache, memoryCache } from './factsCache';
import { StreamFactsReader } from './kinesisFacts';
import { reachableMaxAgeMs } from './refreshPlan';
import { PackedList, packList, unpackList } from './packed';
import { DatabaseSyncLedger, SyncLedger, memoryLedger } from './syncLedger';

/** How far before a sync's start its re-read looks for new roles. */
const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * How often a sync applies every entity (a full mutation) even when it
 * could apply only what changed: whatever else changed the catalog's copy
 * of ours is put right within this time.
 */
export const FULL_MUTATION_EVERY_MS = 60 * 60_000;

/**
 * Keeps the Meter SIEM integrations of one AWS account in the catalog.
 *
 * There is one provider per configured account so that each account's
 * entities are replaced only by a successful sync of that account: a full
 * mutation replaces everything a provider emitted, so one provider for all
 * accounts would delete a denied or throttled account's entities, and any
 * memory of them kept to avoid that would be lost with the replica that
 * ran the sync.
 *
 * Use `MeterSiemEntityProvider.fromConfig(...)` to create instances.
 *
 * @public
 */
export class MeterSiemEntityProvider implements EntityProvider {
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      scheduler: SchedulerService;
      events?: EventsService;
      credentials?: AwsCredentialsManager;
      /**
       * Where stream facts are kept between syncs: the catalog plugin's
       * cache service, shared by the replicas when it has a store (Redis,
       * Memcache). Defaults to this process's memory.
       */
      cache?: CacheService;
      /**
       * The catalog plugin's database, where the providers record who wrote
       * their entities last (`syncLedger`), so that a sync applies only
       * what changed when its replica wrote last. Without it, this
       * process's memory: right for one replica.
       */
      database?: DatabaseService;
      /** The clock of the facts' read times (tests and benchmarks). */
      now?: () => number;
    },
  ): MeterSiemEntityProvider[] {
    const providerConfig = readProviderConfig(config);
    if (!providerConfig) return [];
    const clients = new AwsClientFactory(
      options.credentials ?? DefaultAwsCredentialsManager.fromConfig(config),
      'backstage-meter-siem-catalog',
      readAwsClientSettings(config),
    );
    // One limiter and one cache for every account's provider: the
    // process's calls share AWS's rates.
    const limiter = new AwsRateLimiter(providerConfig.apiRates);
    const { maxAgeMs } = providerConfig.freshness;
    const factsCache = new FactsCache(options.cache ?? memoryCache(), {
      // Each sync rewrites its regions' entries; an entry outlives the
      // facts' maximum age so that facts the budget could not refresh in
      // time are still reused (with their age) rather than read afresh.
      ttlMs: Math.max(2 * maxAgeMs, maxAgeMs + 15 * 60_000),
      onError: message => options.logger.warn(message),
    });
    const ledger = options.database
      ? new DatabaseSyncLedger(options.database)
      : memoryLedger();
    const watched = providerConfig.accounts.flatMap(a =>
      a.accountId ? [a.accountId] : [],
    );
    const hasMain = watched.length < providerConfig.accounts.length;
    return providerConfig.accounts.map(
      (account, index) =>
        new MeterSiemEntityProvider({
          account,
          watched,
          // One provider says so when an event's account is nobody's: the
          // main account's (its id is known only at run time), else the first.
          reportsUnwatched: hasMain ? !account.accountId : index === 0,
          clients,
          limiter,
          factsCache,
          ledger,
          freshness: providerConfig.freshness,
          now: options.now,
          logger: options.logger,
          scheduler: options.scheduler,
          events: options.events,
          schedule: providerConfig.schedule,
          entityOptions: {
            settings: providerConfig.settings,
            fallbackOwner: providerConfig.fallbackOwner,
          },
        }),
    );
  }

  readonly #account: AccountScope;
  /** The accounts of every provider, to say when an event is nobody's. */
  readonly #watched: string[];
  readonly #reportsUnwatched: boolean;
  readonly #clients: AwsClientFactory;
  readonly #limiter: AwsRateLimiter;
  readonly #factsCache: FactsCache;
  readonly #ledger: SyncLedger;
  readonly #freshness: FactsFreshness;
  readonly #now: () => number;
  /** Regions warned about: their facts cannot stay younger than the max age. */
  readonly #unreachable = new Map<string, number>();
  readonly #logger: LoggerService;
  readonly #scheduler: SchedulerService;
  readonly #events?: EventsService;
  readonly #schedule: SchedulerServiceTaskScheduleDefinition;
  readonly #entityOptions: EntityBuildOptions;
  #connection?: EntityProviderConnection;
  /** Counts syncs and registrations, to tell which came first. */
  #sequence = 0;
  #registered: Array<{ sequence: number; entities: ResourceEntity[] }> = [];
  /**
   * What the last successful sync emitted, packed (`#recall` unpacks it):
   * read only when a sync fails or an integration goes, and 20,000
   * entities at 5,000 integrations.
   */
  #lastSynced?: PackedList;
  /**
   * The hash of each entity as this provider last applied it, by name;
   * undefined until it applies a full mutation, and after a failure.
   */
  #applied?: Map<string, string>;
  /** The ledger's token of this provider's last write. */
  #lastWrite?: string;
  /** When it last applied a full mutation (`now`). */
  #lastFullAt = -Infinity;

  private constructor(options: {
    account: AccountScope;
    watched?: string[];
    reportsUnwatched?: boolean;
    clients: AwsClientFactory;
    limiter: AwsRateLimiter;
    factsCache: FactsCache;
    ledger?: SyncLedger;
    freshness: FactsFreshness;
    now?: () => number;
    logger: LoggerService;
    scheduler: SchedulerService;
    events?: EventsService;
    schedule: SchedulerServiceTaskScheduleDefinition;
    entityOptions: EntityBuildOptions;
  }) {
    this.#account = options.account;
    this.#watched = options.watched ?? [];
    this.#reportsUnwatched = options.reportsUnwatched ?? true;
    this.#clients = options.clients;
    this.#limiter = options.limiter;
    this.#factsCache = options.factsCache;
    this.#ledger = options.ledger ?? memoryLedger();
    this.#freshness = options.freshness;
    this.#now = options.now ?? Date.now;
    this.#scheduler = options.scheduler;
    this.#events = options.events;
    this.#schedule = options.schedule;
    this.#entityOptions = options.entityOptions;
    this.#logger = options.logger.child({ target: this.getProviderName() });
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return `MeterSiemEntityProvider:${this.#account.accountId ?? 'main'}`;
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    // The scheduler's default scope is global: one replica syncs at a time.
    await this.#scheduler.scheduleTask({
      id: `${this.getProviderName()}:refresh`,
      ...this.#schedule,
      // Past the schedule's timeout the scheduler aborts the signal: the
      // sync's AWS calls stop, and nothing is committed.
      fn: abortSignal => this.refresh(abortSignal),
    });
    await this.#events?.subscribe({
      id: this.getProviderName(),
      topics: [INTEGRATION_CREATED_TOPIC, INTEGRATION_REMOVED_TOPIC],
      onEvent: params =>
        params.topic === INTEGRATION_REMOVED_TOPIC
          ? this.#onIntegrationRemoved(params)
          : this.#onIntegrationCreated(params),
    });
  }

  /**
   * Reads the account and replaces its entities in the catalog. A failing
   * account keeps the entities of its last successful sync, with the error
   * recorded on them (`meter-siem.io/facts-error`) beside the time their
   * facts were read (`meter-siem.io/facts-read-at`), so that the audit can
   * say how old they are and why.
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    this.#connectionOrThrow();
    const startedAt = this.#sequence++;
    const wallStart = Date.now();
    // Roles made from here on may be missing from the list this sync reads;
    // a margin covers the clock difference with AWS's CreateDate.
    const readFrom = new Date(Date.now() - CLOCK_MARGIN_MS);
    // The IAM facts are as old as the sync: it reads them first.
    const iamReadAt = this.#now();
    const calls = new Map<string, number>();
    let throttledAttempts = 0;
    let discovered: ResourceEntity[];
    let source: StreamFactsReader | undefined;
    let accountId: string | undefined = this.#account.accountId;
    try {
      const clients = await this.#accountClients(signal, {
        onCall: call =>
          calls.set(call.operation, (calls.get(call.operation) ?? 0) + 1),
        onThrottled: () => {
          throttledAttempts += 1;
        },
      });
      accountId = clients.accountId;
      const failedRegions = new Map<string, string>();
      const onWarning = (message: string) => this.#logger.warn(message);
      source = new StreamFactsReader({
        clients,
        cache: this.#factsCache,
        policy: this.#freshness,
        now: this.#now,
        onWarning,
        signal,
        startedAt: wallStart,
      });
      const scope = {
        regions: this.#account.regions,
        settings: this.#entityOptions.settings,
        failedRegions,
        onWarning,
        streams: source,
      };
      const listed = await discoverIntegrations(clients, scope);
      this.#warnUnreachable(accountId, source);
      // Re-read just before committing: an integration registered meanwhile
      // (by an event on another replica too) survives this full mutation.
      const facts = withLateIntegrations(
        listed,
        await readIntegrationsCreatedSince(
          clients,
          readFrom,
          new Set(listed.flatMap(f => (f.role ? [f.role.name] : []))),
          scope,
        ),
      );
      const built = buildIntegrationEntities(facts, this.#entityOptions);
      await source.recordEntityNames(streamEntityNames(built));
      discovered = this.#carriedForward(
        stamped(built, iamReadAt, source),
        failedRegions,
      );
      for (const reason of failedRegions.values()) {
        this.#logger.warn(
          `Synced Meter SIEM integrations of AWS account ${accountId} without one region, whose entities keep their last facts: ${reason}`,
        );
      }
      if (source.stats.throttled.length) {
        this.#logger.warn(
          `Kinesis throttled this sync's reads of AWS account ${accountId} in ${source.stats.throttled.join(
            ', ',
          )} beyond the SDK's retries: other callers are using the account's Kinesis budget. The streams not read keep their cached facts (with their age) and the next syncs read them.`,
        );
      }
    } catch (error) {
      if (signal?.aborted) {
        // Past the schedule's timeout: the next run starts afresh, and the
        // catalog keeps what it has.
        this.#logger.warn(
          `Stopped syncing Meter SIEM integrations of AWS account ${
            accountId ?? '(main)'
          }: the sync ran past its timeout (catalog.providers.meterSiem.schedule.timeout); nothing was changed`,
        );
        return;
      }
      const reason = stringifyError(error);
      this.#logger.warn(
        `Skipped syncing Meter SIEM integrations of AWS account ${
          accountId ?? '(main)'
        }, its catalog entities are kept until a sync succeeds: ${reason}`,
      );
      // Before the first success of this process there is nothing to mark;
      // the catalog keeps what it has, with its read times.
      const last = this.#recall();
      if (last) await this.#apply(failed(last, reason), { failed: true });
      return;
    }

    // A registration that arrived while this sync read AWS may have been
    // missed by it; keep it until a sync that started later has seen it.
    this.#registered = this.#registered.filter(r => r.sequence > startedAt);
    const byName = new Map<string, ResourceEntity>();
    for (const entity of discovered) {
      const other = byName.get(entity.metadata.name);
      if (other) {
        // Names are unique per account and region by construction; say so
        // loudly if that ever fails rather than lose an integration quietly.
        this.#logger.warn(
          `Two Meter SIEM entities of AWS account ${accountId} are both named ${
            entity.metadata.name
          } (${describe(other)} and ${describe(
            entity,
          )}); the catalog keeps the first`,
        );
        continue;
      }
      byName.set(entity.metadata.name, entity);
    }
    // A registration this sync may have missed: the same integration, newer.
    for (const entity of this.#registered.flatMap(r => r.entities)) {
      byName.set(entity.metadata.name, entity);
    }
    const emitted = [...byName.values()];
    const applied = await this.#apply(emitted);
    // The audit rebuilds its findings from the new facts (the backend's
    // index), instead of at its next periodic refresh.
    if (applied.changed) await this.#announceSync();
    this.#logger.info(
      `Synced ${
        discovered.length
      } entities of Meter SIEM integrations in AWS account ${accountId} in ${(
        (Date.now() - wallStart) /
        1000
      ).toFixed(1)} s (${applied.description}). ${describeSync({
        calls,
        throttledAttempts,
        stats: source!.stats,
        oldestReadAt: oldestFactsReadAt(emitted),
        now: this.#now(),
      })}`,
    );
  }

  /**
   * Warns once per region when its streams are too many for the rates and
   * the read budget to re-read them all within the maximum age, with the
   * age that can be kept.
   */
  #warnUnreachable(accountId: string, source: StreamFactsReader) {
    const { maxAgeMs, readBudgetMs, intervalMs } = this.#freshness;
    const rates = [
      'kinesis:DescribeStreamSummary',
      'kinesis:ListTagsForStream',
    ].map(op => ({ op, rate: this.#limiter.rateOf(op) }));
    const slowest = rates.reduce((a, b) =>
      (b.rate ?? Infinity) < (a.rate ?? Infinity) ? b : a,
    );
    if (!slowest.rate) return;
    for (const [region, count] of source.stats.streamsByRegion) {
      const reachable = reachableMaxAgeMs({
        count,
        readsPerSecond: slowest.rate,
        readBudgetMs,
        intervalMs,
      });
      if (reachable <= maxAgeMs) {
        this.#unreachable.delete(region);
        continue;
      }
      // Once, and again only when it gets worse by a tenth.
      const warned = this.#unreachable.get(region);
      if (warned !== undefined && reachable <= warned * 1.1) continue;
      this.#unreachable.set(region, reachable);
      this.#logger.warn(
        `The stream facts of AWS account ${accountId} in ${region} cannot all stay younger than catalog.providers.meterSiem.maxFactsAge (${minutes(
          maxAgeMs,
        )}): re-reading ${count} streams at ${formatRate(slowest.rate)} ${
          slowest.op
        } calls a second (the share of AWS's published rate this provider uses, catalog.providers.meterSiem.apiRates) during ${
          readBudgetMs / 1000
        } s of each sync every ${minutes(intervalMs)} takes about ${minutes(
          reachable,
        )}, so the oldest facts will be about that old. Raise maxFactsAge to at least that, or the account's Kinesis quota (and apiRates.perSecond), or readBudget.`,
      );
    }
  }

  async #onIntegrationCreated(params: EventParams): Promise<void> {
    const event = params.eventPayload as Partial<IntegrationCreatedEvent>;
    const { accountId, region, roleName } = event;
    if (
      typeof accountId !== 'string' ||
      typeof region !== 'string' ||
      typeof roleName !== 'string'
    ) {
      this.#logger.warn(
        `Ignored a ${INTEGRATION_CREATED_TOPIC} event without accountId, region and roleName`,
      );
      return;
    }
    // Every provider (one per account) hears every event; the one of the
    // event's account registers it, in whatever region it is.
    const { accountId: configured } = this.#account;
    if (configured && configured !== accountId) {
      this.#warnUnwatched(accountId, roleName);
      return;
    }
    try {
      const connection = this.#connectionOrThrow();
      const clients = await this.#accountClients();
      // The main account's id is known only once its credentials are.
      if (clients.accountId !== accountId) {
        this.#warnUnwatched(accountId, roleName);
        return;
      }
      // Read now, whatever is cached, and cached for the next syncs: the
      // event follows a change (a registration, a day-two action).
      const onWarning = (message: string) => this.#logger.warn(message);
      const source = new StreamFactsReader({
        clients,
        cache: this.#factsCache,
        policy: this.#freshness,
        now: this.#now,
        onWarning,
      });
      const readAt = this.#now();
      const built = buildIntegrationEntities(
        await readRoleIntegrations(clients, roleName, {
          regions: [region],
          settings: this.#entityOptions.settings,
          onWarning,
          streams: source,
        }),
        this.#entityOptions,
      );
      await source.recordEntityNames(streamEntityNames(built));
      const entities = stamped(built, readAt, source);
      this.#registered.push({ sequence: this.#sequence++, entities });
      await connection.applyMutation({
        type: 'delta',
        added: entities.map(entity => this.#deferred(entity)),
        removed: [],
      });
      this.#logger.info(
        `Registered ${entities.length} entities of the new Meter SIEM integration with role ${roleName} in AWS account ${accountId}`,
      );
    } catch (error) {
      this.#logger.warn(
        `Could not register the new Meter SIEM integration with role ${roleName} in AWS account ${accountId}, the next sync will: ${stringifyError(
          error,
        )}`,
      );
    }
  }

  /**
   * Removes at once the entities of an integration the decommission action
   * deleted from AWS, instead of at the next sync: those of the event's
   * account only, and only entities this provider emits (named
   * `<integration>-<account>` or `<integration>-<account>-<part>`; the
   * catalog itself removes nothing another provider emitted). Not only the
   * names it remembers: the replica that hears the event may not be the one
   * that ran the last sync. They are forgotten too, so that no later full
   * mutation (a failed sync's, a registration's) brings them back.
   */
  async #onIntegrationRemoved(params: EventParams): Promise<void> {
    const event = params.eventPayload as Partial<IntegrationRemovedEvent>;
    const { accountId, entityRefs } = event;
    if (
      typeof accountId !== 'string' ||
      !/^\d{12}$/.test(accountId) ||
      !Array.isArray(entityRefs) ||
      !entityRefs.every(ref => typeof ref === 'string')
    ) {
      this.#logger.warn(
        `Ignored a ${INTEGRATION_REMOVED_TOPIC} event without a 12-digit accountId and entityRefs`,
      );
      return;
    }
    const { accountId: configured } = this.#account;
    if (configured && configured !== accountId) return;
    try {
      const connection = this.#connectionOrThrow();
      if (!configured) {
        // The main account's id is known only once its credentials are.
        const clients = await this.#accountClients();
        if (clients.accountId !== accountId) return;
      }
      const names = new Set(
        entityRefs.flatMap(ref => {
          const name = emittedName(ref, accountId);
          return name ? [name] : [];
        }),
      );
      if (names.size === 0) return;
      // Else a sync could bring the stream back from the cache (as left
      // behind, from a listing made before the decommission).
      await this.#factsCache.forgetIntegrations(accountId, names);
      const kept = (entities: ResourceEntity[]) =>
        entities.filter(e => !names.has(e.metadata.name));
      const last = this.#recall();
      if (last) this.#remember(kept(last));
      // Applied again if a sync finds them again.
      for (const name of names) this.#applied?.delete(name);
      this.#registered = this.#registered.map(r => ({
        ...r,
        entities: kept(r.entities),
      }));
      await connection.applyMutation({
        type: 'delta',
        added: [],
        removed: [...names].map(name => ({
          entityRef: `resource:default/${name}`,
          locationKey: this.getProviderName(),
        })),
      });
      this.#logger.info(
        `Removed ${names.size} entities of a decommissioned Meter SIEM integration in AWS account ${accountId}`,
      );
    } catch (error) {
      this.#logger.warn(
        `Could not remove the entities of a decommissioned Meter SIEM integration in AWS account ${accountId}, the next sync will: ${stringifyError(
          error,
        )}`,
      );
    }
  }

  /**
   * Where a region could not be read: its integrations keep the read time of
   * their last facts (so that they turn stale), and what the last sync
   * found there and this one could not list (streams left behind) stays.
   */
  #carriedForward(
    entities: ResourceEntity[],
    failedRegions: Map<string, string>,
  ): ResourceEntity[] {
    if (failedRegions.size === 0) return entities;
    const previous = new Map(
      (this.#recall() ?? []).map(e => [e.metadata.name, e]),
    );
    const kept = entities.map(entity => {
      const before = previous.get(entity.metadata.name);
      const readAt = before?.metadata.annotations?.[ANNOTATIONS.factsReadAt];
      const region = entity.metadata.annotations?.[ANNOTATIONS.region];
      return entity.metadata.annotations?.[ANNOTATIONS.factsError] &&
        region &&
        failedRegions.has(region) &&
        readAt
        ? withAnnotations(entity, { [ANNOTATIONS.factsReadAt]: readAt })
        : entity;
    });
    const names = new Set(entities.map(e => e.metadata.name));
    const missing = [...previous.values()].filter(entity => {
      const region = entity.metadata.annotations?.[ANNOTATIONS.region];
      return (
        !names.has(entity.metadata.name) &&
        !!region &&
        failedRegions.has(region)
      );
    });
    return [
      ...kept,
      ...missing.flatMap(entity =>
        failed(
          [entity],
          failedRegions.get(entity.metadata.annotations![ANNOTATIONS.region])!,
        ),
      ),
    ];
  }

  /**
   * Applies a sync's entities: only what changed since this provider's
   * last write (a delta) when the ledger says nobody else wrote since and
   * its last full mutation is recent, else all of them (a full mutation,
   * which also removes whatever else the catalog holds from it). Remembers
   * them, packed, for the failure paths.
   */
  async #apply(
    entities: ResourceEntity[],
    options: { failed?: boolean } = {},
  ): Promise<{ changed: boolean; description: string }> {
    const connection = this.#connectionOrThrow();
    const previous = this.#applied;
    // Until this write is known to have landed.
    this.#applied = undefined;
    const token = randomUUID();
    const ours = await this.#ledger
      .record(this.getProviderName(), this.#lastWrite, token)
      .catch(error => {
        this.#logger.warn(
          `Could not read who wrote this provider's entities last, so this sync applies all of them: ${stringifyError(
            error,
          )}`,
        );
        return false;
      });
    this.#lastWrite = token;
    const full = () =>
      connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => this.#deferred(entity)),
      });
    if (options.failed) {
      // Marks on what the catalog holds; the next sync applies everything.
      await full();
      return { changed: true, description: `all ${entities.length} marked` };
    }
    const now = this.#now();
    let why: string | undefined;
    if (!previous) {
      why = 'the first since this process started or failed';
    } else if (!ours) {
      why = 'another replica wrote since';
    } else if (now - this.#lastFullAt >= FULL_MUTATION_EVERY_MS) {
      why = 'hourly';
    }
    const hashes = new Map(entities.map(e => [e.metadata.name, hashOf(e)]));
    if (why || !previous) {
      await full();
      this.#lastFullAt = now;
      this.#applied = hashes;
      this.#remember(entities);
      return {
        changed: true,
        description: `all ${entities.length} applied: ${why}`,
      };
    }
    const added = entities.filter(
      e => previous.get(e.metadata.name) !== hashes.get(e.metadata.name),
    );
    const removed = [...previous.keys()].filter(name => !hashes.has(name));
    if (added.length || removed.length) {
      this.#remember(entities);
      await connection.applyMutation({
        type: 'delta',
        added: added.map(entity => this.#deferred(entity)),
        removed: removed.map(name => ({
          entityRef: `resource:default/${name}`,
          locationKey: this.getProviderName(),
        })),
      });
    }
    this.#applied = hashes;
    return {
      changed: added.length + removed.length > 0,
      description: `${added.length} changed and ${removed.length} removed applied`,
    };
  }

  async #announceSync(): Promise<void> {
    await this.#events
      ?.publish({
        topic: INTEGRATIONS_SYNCED_TOPIC,
        eventPayload: { provider: this.getProviderName() },
      })
      .catch(error =>
        this.#logger.warn(
          `Could not tell the audit that a sync finished: ${stringifyError(
            error,
          )}`,
        ),
      );
  }

  #remember(entities: ResourceEntity[]) {
    this.#lastSynced = packList(entities);
  }

  #recall(): ResourceEntity[] | undefined {
    return this.#lastSynced && unpackList<ResourceEntity>(this.#lastSynced);
  }

  #warnUnwatched(accountId: string, roleName: string) {
    if (this.#reportsUnwatched && !this.#watched.includes(accountId)) {
      this.#logger.warn(
        `Did not register the Meter SIEM integration with role ${roleName}: AWS account ${accountId} is not among catalog.providers.meterSiem.accounts, so the catalog does not watch it. Add it there (with credentials in aws.accounts) to see it.`,
      );
    }
  }

  /** The account's clients, paced by the process's rate limiter. */
  async #accountClients(
    signal?: AbortSignal,
    observer?: PacedCallObserver,
  ): Promise<MultiRegionClients> {
    const { accountId, regions } = this.#account;
    const clients = await this.#clients.forAccountRegions({
      accountId,
      iamRegion: regions[0],
      signal,
    });
    return withRateLimits(clients, this.#limiter, { signal, ...observer });
  }

  #connectionOrThrow(): EntityProviderConnection {
    if (!this.#connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    return this.#connection;
  }

  #deferred(entity: ResourceEntity): DeferredEntity {
    return {
      entity: entity as unknown as Entity,
      locationKey: this.getProviderName(),
    };
  }
}

/**
 * The name of an entity this provider emits for `accountId`, or `undefined`
 * for any other reference: kind Resource in the default namespace, named
 * `<integration>-<account>`, optionally with `-stream`, `-role` or `-policy`.
 */
function emittedName(ref: string, accountId: string): string | undefined {
  let parsed;
  try {
    parsed = parseEntityRef(ref);
  } catch {
    return undefined;
  }
  const ours =
    parsed.kind.toLowerCase() === 'resource' &&
    parsed.namespace === 'default' &&
    new RegExp(`^.+-${accountId}(-stream|-role|-policy)?$`).test(parsed.name);
  return ours ? parsed.name : undefined;
}

/**
 * The integration entities, marked with when their oldest fact was read:
 * the IAM facts at `iamReadAt`, the stream's (summary, tags, alarm) when
 * the source read them, perhaps syncs ago.
 */
function stamped(
  entities: ResourceEntity[],
  iamReadAt: number,
  source: StreamFactsReader,
): ResourceEntity[] {
  return entities.map(entity => {
    if (!isIntegrationEntity(entity)) return entity;
    const streamArn = entity.metadata.annotations?.[ANNOTATIONS.streamArn];
    const streamReadAt = streamArn ? source.readAtOf(streamArn) : undefined;
    const readAt = Math.min(iamReadAt, streamReadAt ?? iamReadAt);
    return withAnnotations(entity, {
      [ANNOTATIONS.factsReadAt]: new Date(readAt).toISOString(),
    });
  });
}

/** The catalog name of each stream's integration, by stream ARN. */
function streamEntityNames(entities: ResourceEntity[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const entity of entities) {
    const streamArn = entity.metadata.annotations?.[ANNOTATIONS.streamArn];
    if (isIntegrationEntity(entity) && streamArn) {
      names.set(streamArn, entity.metadata.name);
    }
  }
  return names;
}

/** The read time of the oldest facts among these entities. */
function oldestFactsReadAt(entities: ResourceEntity[]): number | undefined {
  let oldest: number | undefined;
  for (const entity of entities) {
    const readAt = entity.metadata.annotations?.[ANNOTATIONS.factsReadAt];
    const time = readAt ? Date.parse(readAt) : NaN;
    if (!Number.isNaN(time) && (oldest === undefined || time < oldest)) {
      oldest = time;
    }
  }
  return oldest;
}

function minutes(ms: number): string {
  const m = ms / 60_000;
  if (m < 1) return `${Math.round(ms / 1000)} seconds`;
  const rounded = m < 10 ? Math.round(m * 10) / 10 : Math.round(m);
  return `${rounded} minute${rounded === 1 ? '' : 's'}`;
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(1);
}

/** The second half of a sync's log line: what it cost and how old it is. */
function describeSync(options: {
  calls: Map<string, number>;
  throttledAttempts: number;
  stats: StreamFactsReader['stats'];
  oldestReadAt?: number;
  now: number;
}): string {
  const { calls, throttledAttempts, stats, oldestReadAt, now } = options;
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const byOperation = [...calls]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  return [
    `AWS calls: ${total}${byOperation ? ` (${byOperation})` : ''}${
      throttledAttempts
        ? `, ${throttledAttempts} of them throttled by AWS and retried`
        : ''
    }.`,
    `Stream facts: ${stats.reused} reused, ${stats.reread} re-read, ${stats.pending} not read yet.`,
    oldestReadAt === undefined
      ? ''
      : `Oldest fact used: ${minutes(
          now - oldestReadAt,
        )} old (read at ${new Date(oldestReadAt).toISOString()}).`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The integration entities, marked with why their facts are not fresh. */
function failed(entities: ResourceEntity[], reason: string): ResourceEntity[] {
  return entities.map(entity =>
    isIntegrationEntity(entity)
      ? withAnnotations(entity, { [ANNOTATIONS.factsError]: reason })
      : entity,
  );
}

function withAnnotations(
  entity: ResourceEntity,
  annotations: Record<string, string>,
): ResourceEntity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: { ...entity.metadata.annotations, ...annotations },
    },
  };
}

function describe(entity: ResourceEntity): string {
  const annotations = entity.metadata.annotations ?? {};
  return (
    annotations[ANNOTATIONS.streamArn] ??
    annotations[ANNOTATIONS.roleArn] ??
    entity.spec.type
  );
}

/** What tells one version of an entity from another. */
function hashOf(entity: ResourceEntity): string {
  return createHash('sha1').update(JSON.stringify(entity)).digest('base64');
}
