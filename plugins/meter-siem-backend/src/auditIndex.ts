import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATIONS,
  AuditFacts,
  AuditFinding,
  FindingFilters,
  INTEGRATION_ENTITY_FILTER,
  RuleFinding,
  auditIntegration,
  comparableOwner,
  compareFindings,
  factsAge,
  filterFindings,
  parseAuditFacts,
  rotationFinding,
  staleFactsFinding,
} from '@internal/backstage-plugin-meter-siem-common';
import { SearchTable, SearchTables } from './catalogAccess';
import { AuditConfig } from './config';

/** Integrations read from the catalog at a time. */
const READ_PAGE_SIZE = 500;

/** The fields of an integration entity the index keeps. */
const INDEX_FIELDS = ['kind', 'apiVersion', 'metadata', 'spec', 'relations'];

/** The facts `rotationFinding` reads. */
type TimelyFacts = Pick<AuditFacts, 'roleArn' | 'trust'>;

/** What a finding says about where it is, besides what its rule says. */
type Place = Pick<
  AuditFinding,
  'entityRef' | 'integration' | 'owner' | 'accountId' | 'region' | 'environment'
>;

/** One integration entity, read and audited. */
export interface IndexedIntegration {
  /** Its position in `AuditSnapshot.integrations`. */
  readonly position: number;
  /** The entity as the catalog's permission conditions see it. */
  readonly searchTable: SearchTable;
  readonly place: Place;
  /** The owner as the caller's ownership refs are compared with it. */
  readonly comparableOwner: string;
  /**
   * What the rules that depend on the time read of the facts (the rest is
   * in `findings`, and not kept: a third of an integration's memory).
   * Undefined for entities synced before the audit existed.
   */
  readonly facts?: TimelyFacts;
  /** The findings that do not depend on the time, in the report's order. */
  readonly findings: readonly AuditFinding[];
  /**
   * What `staleFactsFinding` reads when its finding depends on the time:
   * when the facts were read, and why a sync failed since. Undefined when
   * it does not (no facts, or a stream not read yet: found at build).
   */
  readonly staleness?: Record<string, string>;
  /** When the facts were read (`factsReadAt`), as text and in ms. */
  readonly factsRead?: { readAt: string; time: number };
}

/**
 * The audit of every integration at one catalog read: each integration's
 * time-independent findings, and the owners the catalog knows.
 */
export interface AuditSnapshot {
  /** When the catalog read it is built from started (ms since the epoch). */
  readonly readAt: number;
  readonly integrations: readonly IndexedIntegration[];
  /** Every time-independent finding, in the report's order (none `mine`). */
  readonly findings: readonly AuditFinding[];
  /** The integration of each of `findings`, by position. */
  readonly findingIntegrations: Uint32Array;
  /** Refs of the catalog's groups and users, lowercase. */
  readonly knownOwners: ReadonlySet<string>;
  /** The integration of an entity ref (in any case), if indexed. */
  byRef(entityRef: string): IndexedIntegration | undefined;
}

function place(found: RuleFinding, where: Place, mine = false): AuditFinding {
  return {
    id: `${found.ruleId}:${where.entityRef}:${found.resource}`,
    ...found,
    ...where,
    mine,
  };
}

/**
 * Audits integration entities: the rules that depend only on their facts
 * and the catalog's owners, evaluated once per catalog read.
 */
export function buildSnapshot(
  entities: Entity[],
  knownOwners: ReadonlySet<string>,
  audit: AuditConfig,
  readAt: number,
): AuditSnapshot {
  const options = { ...audit, knownOwners };
  // Not captured by a closure, which would keep it with the snapshot.
  const tables = new SearchTables();
  const integrations: IndexedIntegration[] = [];
  const byRef = new Map<string, IndexedIntegration>();
  const all: Array<{ finding: AuditFinding; position: number }> = [];
  for (const entity of entities) {
    const annotations = entity.metadata.annotations ?? {};
    const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts]);
    const where: Place = {
      entityRef: stringifyEntityRef(entity),
      integration: entity.metadata.title ?? entity.metadata.name,
      owner: tables.intern(String(entity.spec?.owner ?? '')),
      accountId: tables.intern(annotations[ANNOTATIONS.accountId] ?? ''),
      region: tables.intern(annotations[ANNOTATIONS.region] ?? ''),
      environment: tables.intern(annotations[ANNOTATIONS.environment] ?? ''),
    };
    const found: RuleFinding[] = [];
    let staleness: Record<string, string> | undefined;
    if (facts) {
      if (facts.streamPending) {
        // Reported whatever the time: the stream has not been read yet.
        const pending = staleFactsFinding(annotations, {
          now: readAt,
          staleAfterMs: audit.staleAfterMs,
        });
        if (pending) found.push(pending);
      } else {
        staleness = {};
        for (const key of [ANNOTATIONS.factsReadAt, ANNOTATIONS.factsError]) {
          if (annotations[key] !== undefined) staleness[key] = annotations[key];
        }
      }
      found.push(...auditIntegration(facts, options));
    }
    const { readAt: factsReadAt, ageMs } = factsAge(annotations, readAt);
    const findings = found.map(f => place(f, where)).sort(compareFindings);
    const integration: IndexedIntegration = {
      position: integrations.length,
      searchTable: tables.table(entity),
      place: where,
      comparableOwner: tables.intern(comparableOwner(where.owner)),
      ...(facts && {
        facts: {
          roleArn: facts.roleArn && tables.intern(facts.roleArn),
          trust: facts.trust,
        },
      }),
      findings,
      staleness,
      ...(factsReadAt &&
        ageMs !== undefined && {
          factsRead: { readAt: factsReadAt, time: readAt - ageMs },
        }),
    };
    integrations.push(integration);
    byRef.set(where.entityRef.toLowerCase(), integration);
    for (const finding of findings) {
      all.push({ finding, position: integration.position });
    }
  }
  all.sort((a, b) => compareFindings(a.finding, b.finding));
  return {
    readAt,
    integrations,
    findings: all.map(a => a.finding),
    findingIntegrations: Uint32Array.from(all, a => a.position),
    knownOwners,
    byRef: entityRef => byRef.get(entityRef.toLowerCase()),
  };
}

/** Merges two lists sorted by `compareFindings` into one. */
function merge(a: AuditFinding[], b: AuditFinding[]): AuditFinding[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: AuditFinding[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compareFindings(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

export interface FindingsQuery {
  filters: FindingFilters;
  /** Only this integration's findings. */
  only?: IndexedIntegration;
  /** The integrations the caller may see; every one when undefined. */
  visible?: (integration: IndexedIntegration) => boolean;
  /** The caller's ownership refs, lowercase; empty for services. */
  ownershipRefs: ReadonlySet<string>;
  now: number;
}

/**
 * The findings of the integrations the caller sees that pass the filters,
 * in the report's order (`compareFindings`): the precomputed ones, and
 * those that depend on the time (`facts-stale`, `rotation-half-done`),
 * evaluated now from the stored timestamps. With them, when the oldest
 * facts among those integrations were read.
 */
export function queryFindings(
  snapshot: AuditSnapshot,
  query: FindingsQuery,
  audit: AuditConfig,
): { findings: AuditFinding[]; factsReadAt?: string } {
  const { filters, only, visible, ownershipRefs, now } = query;
  const scope = only ? [only] : snapshot.integrations;
  const shown = new Uint8Array(snapshot.integrations.length);
  const timely: AuditFinding[] = [];
  let oldest: IndexedIntegration['factsRead'];
  const staleness = { now, staleAfterMs: audit.staleAfterMs };
  const rotation = { now, rotationMaxAgeMs: audit.rotationMaxAgeMs };
  for (const integration of scope) {
    if (visible && !visible(integration)) continue;
    shown[integration.position] = 1;
    const { factsRead, facts } = integration;
    if (factsRead && (!oldest || factsRead.time < oldest.time)) {
      oldest = factsRead;
    }
    if (!facts) continue;
    const mine = ownershipRefs.has(integration.comparableOwner);
    const stale =
      integration.staleness &&
      staleFactsFinding(integration.staleness, staleness);
    if (stale) timely.push(place(stale, integration.place, mine));
    const rotating = rotationFinding(facts, rotation);
    if (rotating) timely.push(place(rotating, integration.place, mine));
  }

  // The precomputed findings are in the report's order but for `mine`,
  // which comes first: a stable partition keeps the rest of the order.
  const candidates: AuditFinding[] = [];
  if (only) {
    if (shown[only.position]) candidates.push(...only.findings);
  } else {
    const positions = snapshot.findingIntegrations;
    snapshot.findings.forEach((finding, i) => {
      if (shown[positions[i]]) candidates.push(finding);
    });
  }
  const mineFirst: AuditFinding[] = [];
  const others: AuditFinding[] = [];
  // Whether an owner is the caller's, asked once per owner.
  const ownersMine = new Map<string, boolean>();
  for (const finding of filterFindings(candidates, filters)) {
    let mine = ownersMine.get(finding.owner);
    if (mine === undefined) {
      mine = ownershipRefs.has(comparableOwner(finding.owner));
      ownersMine.set(finding.owner, mine);
    }
    if (mine) {
      mineFirst.push({ ...finding, mine: true });
    } else {
      others.push(finding);
    }
  }
  const precomputed = mineFirst.length ? mineFirst.concat(others) : others;
  return {
    findings: merge(
      precomputed,
      filterFindings(timely, filters).sort(compareFindings),
    ),
    ...(oldest && { factsReadAt: oldest.readAt }),
  };
}

/** Reads every integration entity and every owner the catalog knows. */
export async function readCatalog(
  catalog: CatalogService,
  auth: AuthService,
): Promise<{ integrations: Entity[]; knownOwners: Set<string> }> {
  const credentials = await auth.getOwnServiceCredentials();
  // In pages: 5,000 integrations are some 20 MB of JSON in one answer.
  const readIntegrations = async () => {
    const items: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: READ_PAGE_SIZE, fields: INDEX_FIELDS }
          : {
              filter: INTEGRATION_ENTITY_FILTER,
              fields: INDEX_FIELDS,
              limit: READ_PAGE_SIZE,
            },
        { credentials },
      );
      items.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return { items };
  };
  const [integrations, owners] = await Promise.all([
    readIntegrations(),
    catalog.getEntities(
      {
        filter: [{ kind: 'Group' }, { kind: 'User' }],
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    ),
  ]);
  return {
    integrations: integrations.items,
    knownOwners: new Set(
      owners.items.map(e => stringifyEntityRef(e).toLowerCase()),
    ),
  };
}

/** How often the index is read again without an event, by default. */
export const DEFAULT_REFRESH_AFTER_MS = 60_000;
/**
 * How long after an event the index is read again, by default: the catalog
 * processes and stitches what a provider applied only after it published.
 */
export const DEFAULT_SETTLE_MS = 5_000;

/** The first build waits this long after start-up (see `startDelayMs`). */
export const DEFAULT_START_DELAY_MS = 10_000;

export interface AuditIndexOptions {
  /** Reads the catalog and audits it. */
  load: () => Promise<AuditSnapshot>;
  logger: LoggerService;
  /** Rebuilt in the background once it is this old. */
  refreshAfterMs?: number;
  /** Rebuilt this long after facts changed (`invalidate`). */
  settleMs?: number;
  /**
   * First built this long after `start` (default 10 s), so as not to slow
   * the backend's start-up; a request before then builds it at once.
   */
  startDelayMs?: number;
  now?: () => number;
}

/**
 * The audit's index: the findings of every integration, computed when the
 * facts change rather than per request. Rebuilt `settleMs` after an event
 * says they did (`invalidate`), and otherwise every `refreshAfterMs` in the
 * background. Stale while revalidating: a request never waits for a
 * rebuild, but for the very first, when there is no index yet.
 */
export class AuditIndex {
  readonly #load: () => Promise<AuditSnapshot>;
  readonly #logger: LoggerService;
  readonly #refreshAfterMs: number;
  readonly #settleMs: number;
  readonly #startDelayMs: number;
  readonly #now: () => number;
  #current?: AuditSnapshot;
  #building?: Promise<AuditSnapshot>;
  /** When the last build started, or failed. */
  #lastAttempt = -Infinity;
  /** Facts changed while a build was reading: build again after it. */
  #again = false;
  #settleTimer?: ReturnType<typeof setTimeout>;
  #refreshTimer?: ReturnType<typeof setTimeout>;
  #startTimer?: ReturnType<typeof setTimeout>;
  #stopped = false;
  #builds = 0;

  constructor(options: AuditIndexOptions) {
    this.#load = options.load;
    this.#logger = options.logger;
    this.#refreshAfterMs = options.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS;
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#startDelayMs = options.startDelayMs ?? DEFAULT_START_DELAY_MS;
    this.#now = options.now ?? Date.now;
  }

  /** How many builds have completed. */
  get builds(): number {
    return this.#builds;
  }

  /**
   * The current snapshot. Waits only when there is none yet; starts a
   * rebuild in the background when it is older than `refreshAfterMs`.
   */
  async snapshot(): Promise<AuditSnapshot> {
    const current = this.#current;
    if (!current) return this.#build();
    if (this.#now() - this.#lastAttempt >= this.#refreshAfterMs) {
      this.refresh();
    }
    return current;
  }

  /** Rebuilds now, in the background (or joins a rebuild under way). */
  refresh(): void {
    this.#build().catch(() => {
      // Logged by #build; the current snapshot stays.
    });
  }

  /**
   * The facts changed (a sync, an integration created or removed): rebuild
   * once the catalog has them, `settleMs` after the latest such call.
   */
  invalidate(): void {
    if (this.#stopped) return;
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      if (this.#building) {
        this.#again = true;
      } else {
        this.refresh();
      }
    }, this.#settleMs);
    this.#settleTimer.unref?.();
  }

  /**
   * Builds the first snapshot in the background soon after the backend has
   * started (unless a request needed it first), then keeps it fresh.
   */
  start(): void {
    this.#stopped = false;
    clearTimeout(this.#startTimer);
    this.#startTimer = setTimeout(() => {
      if (!this.#current && !this.#building) this.refresh();
    }, this.#startDelayMs);
    this.#startTimer.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#startTimer);
    clearTimeout(this.#settleTimer);
    clearTimeout(this.#refreshTimer);
  }

  #build(): Promise<AuditSnapshot> {
    if (this.#building) return this.#building;
    const started = this.#now();
    this.#lastAttempt = started;
    clearTimeout(this.#refreshTimer);
    const building = this.#load()
      .then(
        snapshot => {
          this.#current = snapshot;
          this.#builds++;
          this.#logger.debug(
            `Audit index of ${snapshot.integrations.length} integrations and ${
              snapshot.findings.length
            } findings built in ${Math.round(this.#now() - started)} ms`,
          );
          return snapshot;
        },
        error => {
          this.#lastAttempt = this.#now();
          this.#logger.warn(
            `Could not build the audit index from the catalog${
              this.#current ? '; serving the previous one' : ''
            }: ${error}`,
          );
          throw error;
        },
      )
      .finally(() => {
        this.#building = undefined;
        if (this.#stopped) return;
        if (this.#again) {
          this.#again = false;
          this.refresh();
        } else {
          this.#refreshTimer = setTimeout(
            () => this.refresh(),
            this.#refreshAfterMs,
          );
          this.#refreshTimer.unref?.();
        }
      });
    this.#building = building;
    return building;
  }
}
