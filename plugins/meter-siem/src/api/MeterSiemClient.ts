import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DiscoveryApi,
  FetchApi,
  createApiRef,
} from '@backstage/frontend-plugin-api';
import {
  AUDIT_SEVERITIES,
  AuditFinding,
  AuditReport,
  AuditSeverity,
  DeliveryReport,
} from '@internal/backstage-plugin-meter-siem-common';

// The report's shapes are the backend's, from the domain package.
/** How bad a finding is, worst first. */
export const SEVERITIES = AUDIT_SEVERITIES;

export type Severity = AuditSeverity;

/** One broken rule on one integration, as the backend reports it. */
export type Finding = AuditFinding;

/**
 * The report: findings sorted the user's own first, then by severity; with
 * `limit` or `offset`, one page of them, `totalFindings` saying how many
 * there are in all. Its counts are always of all of them.
 */
export type FindingsReport = AuditReport;

/**
 * The filters of `GET /findings`, as the backend's README describes them:
 * several values of one filter are OR-ed, the filters AND-ed.
 */
export interface FindingsQuery {
  owner?: string | string[];
  account?: string | string[];
  region?: string | string[];
  rule?: string | string[];
  severity?: Severity | Severity[];
  /** The findings of one integration entity. */
  entityRef?: string;
  /**
   * At most this many findings (JSON only): a page of them. 0 answers the
   * counts alone. Without it, every finding.
   */
  limit?: number;
  /** From the finding at this position, 0 for the first (JSON only). */
  offset?: number;
}

/** A downloaded CSV report. */
export interface FindingsCsv {
  blob: Blob;
  filename: string;
}

/**
 * The meter-siem backend, as the frontend uses it. Each method throws
 * `ResponseError` (`@backstage/errors`) when the backend answers with an
 * error status.
 */
export interface MeterSiemApi {
  /**
   * The findings that pass the query, with their counts; a page of them
   * with `limit` and `offset`.
   */
  getFindings(query?: FindingsQuery): Promise<FindingsReport>;
  /** Every finding that passes the query: `limit` and `offset` are left out. */
  getFindingsCsv(query?: FindingsQuery): Promise<FindingsCsv>;
  /**
   * The external ID of an integration, read live by the backend from its
   * role's trust policy. Allowed only to the owning team (or the admins);
   * each reveal is logged by the backend. The value is a secret: keep it in
   * memory only, never log it or put it in the URL or storage.
   *
   * Throws `ResponseError` when the backend refuses (403, 401) or knows no
   * external ID for the integration (404).
   */
  revealExternalId(entityRef: CompoundEntityRef | string): Promise<string>;
  /**
   * Reads the integration's stream now for Meter's events of the last
   * hour (the owning team only). Throws `ResponseError` on 403, 401, 404.
   */
  verifyDelivery(
    entityRef: CompoundEntityRef | string,
  ): Promise<DeliveryReport>;
}

export const meterSiemApiRef = createApiRef<MeterSiemApi>().with({
  id: 'plugin.meter-siem.client',
  pluginId: 'meter-siem',
});

export const DEFAULT_CSV_FILENAME = 'meter-siem-findings.csv';

const QUERY_KEYS = [
  'owner',
  'account',
  'region',
  'rule',
  'severity',
  'entityRef',
] as const;

/**
 * The query string of a findings request; empty values are left out, and
 * the page (`limit`, `offset`) from a CSV, which always holds every finding.
 */
export function findingsSearchParams(
  query: FindingsQuery = {},
  format: 'json' | 'csv' = 'json',
): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = query[key];
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item) params.append(key, item);
    }
  }
  if (format === 'json') {
    for (const key of ['limit', 'offset'] as const) {
      const value = query[key];
      if (value !== undefined) params.set(key, String(value));
    }
  } else {
    params.set('format', format);
  }
  return params;
}

// `attachment; filename=x.csv` or `filename="x.csv"`; only a plain file name
// is accepted, never a path.
function filenameOf(disposition: string | null): string {
  const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  const name = match?.[1]?.trim();
  return name && /^[\w.-]+$/.test(name) ? name : DEFAULT_CSV_FILENAME;
}

/** Calls the meter-siem backend with the user's token (through fetchApi). */
export class MeterSiemClient implements MeterSiemApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getFindings(query?: FindingsQuery): Promise<FindingsReport> {
    const response = await this.request(findingsSearchParams(query, 'json'));
    return (await response.json()) as FindingsReport;
  }

  async getFindingsCsv(query?: FindingsQuery): Promise<FindingsCsv> {
    const response = await this.request(findingsSearchParams(query, 'csv'));
    return {
      blob: await response.blob(),
      filename: filenameOf(response.headers.get('content-disposition')),
    };
  }

  async revealExternalId(
    entityRef: CompoundEntityRef | string,
  ): Promise<string> {
    const response = await this.fetchApi.fetch(
      await this.integrationUrl(entityRef, 'external-id'),
      // A secret: never from, nor into, the browser's HTTP cache.
      { cache: 'no-store' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as { externalId?: unknown };
    if (typeof body?.externalId !== 'string' || !body.externalId) {
      throw new Error('The Meter SIEM backend answered without an external ID');
    }
    return body.externalId;
  }

  async verifyDelivery(
    entityRef: CompoundEntityRef | string,
  ): Promise<DeliveryReport> {
    const response = await this.fetchApi.fetch(
      await this.integrationUrl(entityRef, 'verify-delivery'),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as DeliveryReport;
  }

  private async integrationUrl(
    entityRef: CompoundEntityRef | string,
    path: string,
  ): Promise<string> {
    const { namespace, name } =
      typeof entityRef === 'string'
        ? parseEntityRef(entityRef, {
            defaultKind: 'resource',
            defaultNamespace: 'default',
          })
        : entityRef;
    const baseUrl = await this.discoveryApi.getBaseUrl('meter-siem');
    return `${baseUrl}/integrations/${encodeURIComponent(
      namespace,
    )}/${encodeURIComponent(name)}/${path}`;
  }

  private async request(params: URLSearchParams): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('meter-siem');
    const search = params.toString();
    const response = await this.fetchApi.fetch(
      `${baseUrl}/findings${search ? `?${search}` : ''}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
