import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  FindingsQuery,
  FindingsReport,
  MeterSiemApi,
  findingsSearchParams,
  meterSiemApiRef,
} from '../../api';
import { AuditFilters, hasFilters, toQuery } from './findings';

/** The page of the table: its first finding's position, and its size. */
export interface AuditPageWindow {
  offset: number;
  pageSize: number;
}

/**
 * The reports the audit view shows, each filtered and counted by the
 * backend. Only `shown` holds findings, one page of them; the others are
 * counts (`limit=0`), which the backend makes of every finding.
 */
export interface AuditReports {
  /** The counts of every finding: the filters' options, and whether any. */
  all?: FindingsReport;
  /** One page of the findings that pass the filters: the table. */
  shown?: FindingsReport;
  /** Those that pass every filter but severity: the counts by severity. */
  severities?: FindingsReport;
  /** Those that pass every filter but owner: the counts by owner. */
  owners?: FindingsReport;
  /** Whether the table's page is being asked for. */
  loading: boolean;
  error?: Error;
  retry: () => void;
}

interface Asked {
  value?: FindingsReport;
  error?: Error;
}

/**
 * The findings requests of the audit view, each asked once, and their
 * answers: a store the view subscribes to, so that it draws an answer as
 * soon as it comes rather than after a round of effects.
 */
class FindingsRequests {
  readonly #api: MeterSiemApi;
  readonly #asked = new Map<string, Asked>();
  readonly #listeners = new Set<() => void>();
  #version = 0;

  constructor(api: MeterSiemApi) {
    this.#api = api;
  }

  /** The answer to the query so far; asks for it the first time. */
  ask(query: FindingsQuery): Asked {
    const key = findingsSearchParams(query).toString();
    let asked = this.#asked.get(key);
    if (!asked) {
      const entry: Asked = {};
      asked = entry;
      this.#asked.set(key, entry);
      this.#api.getFindings(query).then(
        value => this.#settle(key, entry, { value }),
        error =>
          this.#settle(key, entry, {
            error: error instanceof Error ? error : new Error(String(error)),
          }),
      );
    }
    return asked;
  }

  /** Forgets the answers: the next asks go to the backend again. */
  forget(options: { settledOnly?: boolean } = {}) {
    for (const [key, asked] of this.#asked) {
      if (!options.settledOnly || asked.value || asked.error) {
        this.#asked.delete(key);
      }
    }
    this.#notify();
  }

  subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  version = () => this.#version;

  #settle(key: string, entry: Asked, answer: Asked) {
    // Forgotten meanwhile: a newer request answers instead.
    if (this.#asked.get(key) !== entry) return;
    Object.assign(entry, answer);
    this.#notify();
  }

  #notify() {
    this.#version++;
    this.#listeners.forEach(listener => listener());
  }
}

// One store per client, so that a render React discards and starts again
// (a sibling loading, say) asks nothing twice.
const stores = new WeakMap<MeterSiemApi, FindingsRequests>();

function storeOf(api: MeterSiemApi): FindingsRequests {
  let store = stores.get(api);
  if (!store) {
    store = new FindingsRequests(api);
    stores.set(api, store);
  }
  return store;
}

/** The latest value given, the one before while the current is undefined. */
function useLatest<T>(value: T | undefined): T | undefined {
  const latest = useRef(value);
  if (value !== undefined) latest.current = value;
  return value ?? latest.current;
}

/**
 * Asks the backend for the reports of the audit view. The requests leave
 * while the view renders, not after it is drawn, and are asked once each,
 * not again when paging back: without filters, the table's first page
 * serves for every count. While a new page or filter is asked for, the
 * previous answers stay shown.
 */
export function useAuditReports(
  filters: AuditFilters,
  page: AuditPageWindow,
): AuditReports {
  const store = storeOf(useApi(meterSiemApiRef));
  useSyncExternalStore(store.subscribe, store.version);
  // Answers are kept while the view is open, not for the next visit.
  useEffect(() => () => store.forget({ settledOnly: true }), [store]);

  const { offset, pageSize } = page;
  const table = store.ask({ ...toQuery(filters), limit: pageSize, offset });
  let counts: Asked[];
  if (hasFilters(filters)) {
    counts = [
      store.ask({ limit: 0 }),
      store.ask({ ...toQuery(filters, 'severity'), limit: 0 }),
      store.ask({ ...toQuery(filters, 'owner'), limit: 0 }),
    ];
  } else {
    // Any page of every finding has the counts of every finding.
    const whole = store.ask({ limit: pageSize, offset: 0 });
    counts = [whole, whole, whole];
  }
  const countsDone = counts.every(asked => asked.value);

  const shown = useLatest(table.value);
  const all = useLatest(countsDone ? counts[0].value : undefined);
  const severities = useLatest(countsDone ? counts[1].value : undefined);
  const owners = useLatest(countsDone ? counts[2].value : undefined);

  const retry = useCallback(() => store.forget(), [store]);

  return {
    all,
    shown,
    severities,
    owners,
    loading: !table.value && !table.error,
    error: table.error ?? counts.find(asked => asked.error)?.error,
    retry,
  };
}
