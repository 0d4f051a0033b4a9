/**
 * The ownership and security audit of the integrations, by responsibility:
 * the catalogue of rules (`rules`), the facts they read (`facts`), their
 * evaluation (`evaluate`, with `tagRules` and `securityRules`) and the
 * report of their findings (`report`).
 */
export type {
  AuditResource,
  AuditRule,
  AuditRuleId,
  AuditSeverity,
  RuleFinding,
} from './rules';
export { AUDIT_RULES, AUDIT_SEVERITIES, ruleFinding } from './rules';
export type { AuditFacts, StatementSummary } from './facts';
export { parseAuditFacts, toAuditFacts } from './facts';
export type { AuditOptions } from './evaluate';
export { auditIntegration, defaultRequiredTags } from './evaluate';
export type {
  AuditFinding,
  AuditReport,
  FindingFilterKey,
  FindingFilters,
} from './report';
export {
  FINDING_FILTER_FIELDS,
  compareFindings,
  countFindings,
  filterFindings,
} from './report';
