import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  FindingsQuery,
  FindingsReport,
  findingsSearchParams,
  meterSiemApiRef,
} from '../../api';
import { AUDIT_FILTER_KEYS, AuditFilters, toQuery } from './findings';

/** The reports the audit view shows, each filtered and counted by the backend. */
export interface AuditReports {
  /** Every finding: the filters' options, and whether there is any at all. */
  all?: FindingsReport;
  /** The findings that pass the filters: the table. */
  shown?: FindingsReport;
  /** Those that pass every filter but severity: the counts by severity. */
  severities?: FindingsReport;
  /** Those that pass every filter but owner: the counts by owner. */
  owners?: FindingsReport;
  loading: boolean;
  error?: Error;
  retry: () => void;
}

/**
 * Asks the backend for the reports of the audit view. Identical queries are
 * asked once: without filters, the whole report serves for all of them.
 */
export function useAuditReports(filters: AuditFilters): AuditReports {
  const api = useApi(meterSiemApiRef);
  const all = useAsyncRetry(() => api.getFindings(), [api]);
  // The filters' values, so that a new but equal object asks nothing again.
  const filterKey = AUDIT_FILTER_KEYS.map(key => filters[key] ?? '').join('\n');
  const views = useAsyncRetry(async () => {
    const whole = all.value;
    if (!whole) return undefined;
    const requests = new Map<string, Promise<FindingsReport>>();
    const ask = (query: FindingsQuery) => {
      const search = findingsSearchParams(query).toString();
      if (!search) return Promise.resolve(whole);
      if (!requests.has(search)) requests.set(search, api.getFindings(query));
      return requests.get(search)!;
    };
    const [shown, severities, owners] = await Promise.all([
      ask(toQuery(filters)),
      ask(toQuery(filters, 'severity')),
      ask(toQuery(filters, 'owner')),
    ]);
    return { shown, severities, owners };
    // `filterKey` stands for the filters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, all.value, filterKey]);

  return {
    all: all.value,
    ...views.value,
    loading: all.loading || views.loading,
    error: all.error ?? views.error,
    retry: all.error ? all.retry : views.retry,
  };
}
