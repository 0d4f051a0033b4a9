import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  AuditFinding,
  AuditOptions,
  AuditReport,
  auditIntegration,
  compareFindings,
  comparableOwner,
  StalenessOptions,
  countFindings,
  factsAge,
  parseAuditFacts,
  rotationFinding,
  staleFactsFinding,
} from '@internal/backstage-plugin-meter-siem-common';

/**
 * The findings of every integration entity, placed on their integration.
 * `ownershipRefs` are the caller's, lowercase; empty for service callers.
 */
export function findingsOf(
  integrations: Entity[],
  options: AuditOptions & {
    staleness: StalenessOptions & { rotationMaxAgeMs: number };
  },
  ownershipRefs: ReadonlySet<string>,
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const entity of integrations) {
    const annotations = entity.metadata.annotations ?? {};
    const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts]);
    // Entities synced before the audit existed carry no facts yet.
    if (!facts) continue;
    const entityRef = stringifyEntityRef(entity);
    const owner = String(entity.spec?.owner ?? '');
    const mine = ownershipRefs.has(comparableOwner(owner));
    const stale = staleFactsFinding(annotations, options.staleness);
    const rotation = rotationFinding(facts, options.staleness);
    for (const found of [
      ...(stale ? [stale] : []),
      ...(rotation ? [rotation] : []),
      ...auditIntegration(facts, options),
    ]) {
      findings.push({
        id: `${found.ruleId}:${entityRef}:${found.resource}`,
        ...found,
        entityRef,
        integration: entity.metadata.title ?? entity.metadata.name,
        owner,
        accountId: annotations[ANNOTATIONS.accountId] ?? '',
        region: annotations[ANNOTATIONS.region] ?? '',
        environment: annotations[ANNOTATIONS.environment] ?? '',
        mine,
      });
    }
  }
  return findings;
}

/** When the oldest facts among these integrations were read, if known. */
export function oldestFactsReadAt(integrations: Entity[]): string | undefined {
  let oldest: { readAt: string; ageMs: number } | undefined;
  const now = Date.now();
  for (const entity of integrations) {
    const { readAt, ageMs } = factsAge(entity.metadata.annotations ?? {}, now);
    if (readAt && ageMs !== undefined && (!oldest || ageMs > oldest.ageMs)) {
      oldest = { readAt, ageMs };
    }
  }
  return oldest?.readAt;
}

export function buildReport(
  findings: AuditFinding[],
  factsReadAt?: string,
): AuditReport {
  const sorted = [...findings].sort(compareFindings);
  return {
    findings: sorted,
    counts: countFindings(sorted),
    generatedAt: new Date().toISOString(),
    ...(factsReadAt && { factsReadAt }),
  };
}

/** The CSV columns, in order: every field of a finding but `mine`. */
export const CSV_COLUMNS = [
  'id',
  'ruleId',
  'severity',
  'title',
  'message',
  'remedy',
  'entityRef',
  'integration',
  'owner',
  'accountId',
  'region',
  'environment',
  'resource',
  'resourceArn',
] as const;

/**
 * One RFC 4180 field. Values that a spreadsheet would run as a formula (a
 * tag value such as `=HYPERLINK(...)`) get a leading apostrophe, as OWASP
 * advises for CSV meant to be opened in spreadsheets.
 */
function csvField(value: string | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The findings as CSV: a header row, then one row each, CRLF-separated. */
export function findingsToCsv(findings: AuditFinding[]): string {
  const rows = [
    CSV_COLUMNS.join(','),
    ...findings.map(f => CSV_COLUMNS.map(c => csvField(f[c])).join(',')),
  ];
  return `${rows.join('\r\n')}\r\n`;
}
