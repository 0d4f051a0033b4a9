import { Finding, FindingsReport, MeterSiemApi } from '../api';
import { countBySeverity } from '../components/AuditPage/findings';

/** A finding as the backend reports it. */
export function finding(
  overrides: Partial<Finding> & Pick<Finding, 'id'>,
): Finding {
  return {
    ruleId: 'owner-tag-missing',
    severity: 'medium',
    title: 'Owner tag missing',
    message: 'The stream has no owner tag.',
    remedy: 'Run the Fix ownership tags template.',
    entityRef: 'resource:default/hq-111111111111',
    integration: 'hq',
    owner: 'group:default/security',
    accountId: '111111111111',
    region: 'eu-west-1',
    environment: 'production',
    resource: 'stream',
    mine: false,
    ...overrides,
  };
}

/** A report of these findings, in the given order, with its counts. */
export function report(findings: Finding[]): FindingsReport {
  const byOwner: Record<string, number> = {};
  for (const f of findings) byOwner[f.owner] = (byOwner[f.owner] ?? 0) + 1;
  return {
    findings,
    counts: { bySeverity: countBySeverity(findings), byOwner },
    generatedAt: '2025-01-02T03:04:05.000Z',
  };
}

/** A client answering with these findings, filtered as the backend would. */
export function mockMeterSiemApi(
  findings: Finding[],
): jest.Mocked<MeterSiemApi> {
  return {
    getFindings: jest.fn(async query =>
      report(
        query?.entityRef
          ? findings.filter(f => f.entityRef === query.entityRef)
          : findings,
      ),
    ),
    getFindingsCsv: jest.fn(async () => ({
      blob: new Blob(['id,severity\n'], { type: 'text/csv' }),
      filename: 'meter-siem-findings.csv',
    })),
    revealExternalId: jest
      .fn<Promise<string>, Parameters<MeterSiemApi['revealExternalId']>>()
      .mockRejectedValue(
        new Error('revealExternalId is not faked in this test'),
      ),
  };
}
