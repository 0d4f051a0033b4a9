import { Finding, FindingsQuery, SEVERITIES, Severity } from '../../api';
import { formatOwner } from '../../integration';

/** The filters of the audit view, as query parameters of the address. */
export const AUDIT_FILTER_KEYS = [
  'owner',
  'account',
  'region',
  'rule',
  'severity',
] as const;

export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

export type AuditFilters = Partial<Record<AuditFilterKey, string>>;

/** The value of a finding for a filter, as the backend's filter reads it. */
export function filterValueOf(
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

/**
 * Whether a finding passes the filters, leaving out `except`: the counts of a
 * dimension are shown for every value of it, so that the user can switch.
 */
export function matchesAuditFilters(
  finding: Finding,
  filters: AuditFilters,
  except?: AuditFilterKey,
): boolean {
  return AUDIT_FILTER_KEYS.every(
    key =>
      key === except ||
      !filters[key] ||
      filterValueOf(finding, key) === filters[key],
  );
}

/** The backend query for the filters, the same as the table shows. */
export function toQuery(filters: AuditFilters): FindingsQuery {
  return {
    owner: filters.owner,
    account: filters.account,
    region: filters.region,
    rule: filters.rule,
    severity: filters.severity as Severity | undefined,
  };
}

export interface FilterOption {
  id: string;
  label: string;
}

/** The values a filter offers: those present in the findings. */
export function filterOptions(
  findings: Finding[],
  key: AuditFilterKey,
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
      labels.set(value, formatOwner(value) ?? value);
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

/** Findings per severity. */
export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
  };
  for (const finding of findings) {
    if (finding.severity in counts) counts[finding.severity] += 1;
  }
  return counts;
}

export interface OwnerCount {
  /** The owner ref; empty for findings without an owner. */
  owner: string;
  count: number;
  /** Whether the signed-in user's team is this owner. */
  mine: boolean;
}

/** Findings per owner: the user's own team first, then the most findings. */
export function countByOwner(findings: Finding[]): OwnerCount[] {
  const counts = new Map<string, OwnerCount>();
  for (const finding of findings) {
    const owner = finding.owner ?? '';
    const entry = counts.get(owner) ?? { owner, count: 0, mine: false };
    entry.count += 1;
    entry.mine = entry.mine || finding.mine;
    counts.set(owner, entry);
  }
  return [...counts.values()].sort(
    (a, b) =>
      Number(b.mine) - Number(a.mine) ||
      b.count - a.count ||
      a.owner.localeCompare(b.owner),
  );
}
