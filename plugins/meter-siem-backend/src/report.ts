import { AuditFinding } from '@internal/backstage-plugin-meter-siem-common';

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
