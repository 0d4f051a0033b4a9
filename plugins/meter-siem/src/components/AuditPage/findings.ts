import {
  Finding,
  FindingsQuery,
  FindingsReport,
  SEVERITIES,
  Severity,
} from '../../api';
import {
  AUDIT_RULES,
  AuditRuleId,
  FINDING_FILTER_FIELDS,
  FindingFilterKey,
} from '@internal/backstage-plugin-meter-siem-common';
import { formatOwner } from '../../integration';

/**
 * The filters of the audit view, as query parameters of the address; the
 * backend's `GET /findings` takes the same ones and does the filtering.
 */
export const AUDIT_FILTER_KEYS = Object.keys(
  FINDING_FILTER_FIELDS,
) as FindingFilterKey[];

export type AuditFilterKey = FindingFilterKey;

export type AuditFilters = Partial<Record<AuditFilterKey, string>>;

/** Whether any filter is set. */
export function hasFilters(filters: AuditFilters): boolean {
  return AUDIT_FILTER_KEYS.some(key => !!filters[key]);
}

/**
 * The backend query for the filters, leaving out `except`: the counts of a
 * dimension are shown for every value of it, so that the user can switch.
 */
export function toQuery(
  filters: AuditFilters,
  except?: AuditFilterKey,
): FindingsQuery {
  const query: FindingsQuery = {
    owner: filters.owner,
    account: filters.account,
    region: filters.region,
    rule: filters.rule,
    severity: filters.severity as Severity | undefined,
  };
  if (except) query[except] = undefined;
  return query;
}

/** The value of a finding that a filter option stands for. */
function filterValueOf(
  finding: Finding,
  key: AuditFilterKey,
): string | undefined {
  switch (key) {
    case 'owner':
      return finding.owner || undefined;
    case 'account':
      return finding.accountId || undefined;
    case 'region':
      return finding.region || undefined;
    case 'rule':
      return finding.ruleId;
    case 'severity':
      return finding.severity;
    default:
      return undefined;
  }
}

export interface FilterOption {
  id: string;
  label: string;
}

/**
 * The values a filter offers: those present in the findings; owners by
 * `ownerName` (their display names), their value staying the ref.
 */
export function filterOptions(
  findings: Finding[],
  key: AuditFilterKey,
  ownerName: (owner: string) => string | undefined = formatOwner,
): FilterOption[] {
  if (key === 'severity') {
    const present = new Set(findings.map(f => f.severity));
    return SEVERITIES.filter(s => present.has(s)).map(s => ({
      id: s,
      label: severityLabel(s),
    }));
  }
  const labels = new Map<string, string>();
  for (const finding of findings) {
    const value = filterValueOf(finding, key);
    if (!value || labels.has(value)) continue;
    if (key === 'owner') {
      labels.set(value, ownerName(value) ?? value);
    } else if (key === 'rule') {
      labels.set(value, `${finding.title} (${value})`);
    } else {
      labels.set(value, value);
    }
  }
  return [...labels]
    .map(([id, label]) => ({ id, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A report's counts of one filter's values, when the backend gives them. */
function countsOf(
  report: FindingsReport,
  key: AuditFilterKey,
): Record<string, number> | undefined {
  switch (key) {
    case 'owner':
      return report.counts.byOwner;
    case 'account':
      return report.counts.byAccount;
    case 'region':
      return report.counts.byRegion;
    case 'rule':
      return report.counts.byRule;
    case 'severity':
      return report.counts.bySeverity;
    default:
      return undefined;
  }
}

/**
 * The values a filter offers, from a report's counts: it need not hold the
 * findings themselves. From its findings when the counts lack that filter
 * (a backend of an earlier version).
 */
export function reportFilterOptions(
  report: FindingsReport,
  key: AuditFilterKey,
  ownerName: (owner: string) => string | undefined = formatOwner,
): FilterOption[] {
  const counts = countsOf(report, key);
  if (!counts) return filterOptions(report.findings, key, ownerName);
  const present = Object.keys(counts).filter(value => value && counts[value]);
  if (key === 'severity') {
    return SEVERITIES.filter(s => present.includes(s)).map(s => ({
      id: s,
      label: severityLabel(s),
    }));
  }
  const label = (value: string) => {
    if (key === 'owner') return ownerName(value) ?? value;
    if (key === 'rule') {
      const title = AUDIT_RULES[value as AuditRuleId]?.title;
      return title ? `${title} (${value})` : value;
    }
    return value;
  };
  return present
    .map(id => ({ id, label: label(id) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * The rows of one page of a report, and how many there are in all. A
 * backend without pagination (no `totalFindings`) answers every finding.
 */
export function pageOf(
  report: FindingsReport,
  offset: number,
  pageSize: number,
): { rows: Finding[]; total: number } {
  if (report.totalFindings === undefined) {
    return {
      rows: report.findings.slice(offset, offset + pageSize),
      total: report.findings.length,
    };
  }
  return { rows: report.findings, total: report.totalFindings };
}

export function severityLabel(severity: Severity): string {
  return severity.charAt(0).toLocaleUpperCase('en-US') + severity.slice(1);
}

export interface OwnerCount {
  /** The owner ref; empty for findings without an owner. */
  owner: string;
  count: number;
  /** Whether the signed-in user's team is this owner. */
  mine: boolean;
}

/**
 * The report's counts per owner, the user's own team first, then the most
 * findings.
 */
export function ownerCounts(report: FindingsReport): OwnerCount[] {
  const { mineByOwner } = report.counts;
  const mine = new Set(
    mineByOwner
      ? Object.keys(mineByOwner).filter(owner => mineByOwner[owner] > 0)
      : report.findings.filter(f => f.mine).map(f => f.owner),
  );
  return Object.entries(report.counts.byOwner)
    .map(([owner, count]) => ({ owner, count, mine: mine.has(owner) }))
    .sort(
      (a, b) =>
        Number(b.mine) - Number(a.mine) ||
        b.count - a.count ||
        a.owner.localeCompare(b.owner),
    );
}
