import { comparableOwner } from '../refs';
import { AUDIT_SEVERITIES, AuditSeverity, RuleFinding } from './rules';

/**
 * A finding as the audit API reports it: the rule's finding placed on its
 * integration.
 *
 * @public
 */
export interface AuditFinding extends RuleFinding {
  /** Stable across syncs: `<ruleId>:<entityRef>:<resource>`. */
  id: string;
  /** Ref of the integration entity. */
  entityRef: string;
  /** The integration's name. */
  integration: string;
  /** Ref of the integration's owner in the catalog. */
  owner: string;
  accountId: string;
  region: string;
  /** The environment tag, or an empty string when there is none. */
  environment: string;
  /** Whether the caller is among the owners of the integration. */
  mine: boolean;
}

/** @public */
export interface AuditReport {
  /**
   * The findings, sorted; with `limit` or `offset`, only that page of them.
   */
  findings: AuditFinding[];
  /**
   * How many findings pass the filters: all of them, not only the page in
   * `findings`. Absent from reports of backends without pagination.
   */
  totalFindings?: number;
  /** The page's first finding's position among them (0 for the first). */
  offset?: number;
  /** The page's size asked for; absent when every finding was asked for. */
  limit?: number;
  /** Of every finding that passes the filters, not only the page. */
  counts: {
    bySeverity: Record<AuditSeverity, number>;
    byOwner: Record<string, number>;
    /** Findings of integrations the caller's team owns. */
    mine: number;
    /**
     * By account, region and rule: with `byOwner` and `bySeverity`, the
     * values a filter can offer without the findings themselves.
     */
    byAccount?: Record<string, number>;
    byRegion?: Record<string, number>;
    byRule?: Record<string, number>;
    /** The caller's own (`mine`) by owner: which owners are their team. */
    mineByOwner?: Record<string, number>;
  };
  generatedAt: string;
  /**
   * When the oldest facts in the report were read from AWS: the report is
   * as fresh as that, not as `generatedAt`.
   */
  factsReadAt?: string;
}

/** The caller's own first, then the most severe, then by integration. @public */
export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  return (
    Number(b.mine) - Number(a.mine) ||
    AUDIT_SEVERITIES.indexOf(a.severity) -
      AUDIT_SEVERITIES.indexOf(b.severity) ||
    a.integration.localeCompare(b.integration) ||
    a.entityRef.localeCompare(b.entityRef) ||
    a.id.localeCompare(b.id)
  );
}

/** Counts by severity, owner, account, region and rule. @public */
export function countFindings(
  findings: AuditFinding[],
): Required<AuditReport['counts']> {
  const bySeverity = Object.fromEntries(
    AUDIT_SEVERITIES.map(severity => [severity, 0]),
  ) as Record<AuditSeverity, number>;
  const byOwner: Record<string, number> = {};
  const byAccount: Record<string, number> = {};
  const byRegion: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  const mineByOwner: Record<string, number> = {};
  let mine = 0;
  for (const f of findings) {
    bySeverity[f.severity]++;
    byOwner[f.owner] = (byOwner[f.owner] ?? 0) + 1;
    byAccount[f.accountId] = (byAccount[f.accountId] ?? 0) + 1;
    byRegion[f.region] = (byRegion[f.region] ?? 0) + 1;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    if (f.mine) {
      mine++;
      mineByOwner[f.owner] = (mineByOwner[f.owner] ?? 0) + 1;
    }
  }
  return {
    bySeverity,
    byOwner,
    mine,
    byAccount,
    byRegion,
    byRule,
    mineByOwner,
  };
}

/**
 * The fields of a finding the report can be narrowed by, under the names of
 * the audit API's query parameters.
 *
 * @public
 */
export const FINDING_FILTER_FIELDS = {
  owner: 'owner',
  account: 'accountId',
  region: 'region',
  rule: 'ruleId',
  severity: 'severity',
} as const satisfies Record<string, keyof AuditFinding>;

/** @public */
export type FindingFilterKey = keyof typeof FINDING_FILTER_FIELDS;

/**
 * What a caller narrowed the report to: per field, the values wanted. An
 * empty or absent list means any.
 *
 * @public
 */
export type FindingFilters = Partial<Record<FindingFilterKey, string[]>>;

/**
 * The findings that pass every filter: the one place findings are
 * narrowed by owner, account, region, rule or severity. Values compare
 * without regard to case; owners as refs ({@link comparableOwner}), so that
 * `security` finds `group:default/security`.
 *
 * @public
 */
export function filterFindings(
  findings: AuditFinding[],
  filters: FindingFilters,
): AuditFinding[] {
  const active = (Object.keys(FINDING_FILTER_FIELDS) as FindingFilterKey[])
    .filter(key => (filters[key] ?? []).length > 0)
    .map(key => {
      const comparable = (value: string) =>
        key === 'owner' ? comparableOwner(value) : value.toLowerCase();
      const wanted = new Set(filters[key]?.map(comparable));
      const field = FINDING_FILTER_FIELDS[key];
      return (finding: AuditFinding) => wanted.has(comparable(finding[field]));
    });
  return findings.filter(finding => active.every(passes => passes(finding)));
}
