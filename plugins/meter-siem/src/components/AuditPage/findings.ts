import {
  Finding,
  FindingsQuery,
  FindingsReport,
  SEVERITIES,
  Severity,
} from '../../api';
import {
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
  const mine = new Set(report.findings.filter(f => f.mine).map(f => f.owner));
  return Object.entries(report.counts.byOwner)
    .map(([owner, count]) => ({ owner, count, mine: mine.has(owner) }))
    .sort(
      (a, b) =>
        Number(b.mine) - Number(a.mine) ||
        b.count - a.count ||
        a.owner.localeCompare(b.owner),
    );
}
