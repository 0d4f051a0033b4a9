import { countFindings } from '@internal/backstage-plugin-meter-siem-common';
import { Finding, FindingsQuery, FindingsReport, MeterSiemApi } from '../api';

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

/** A report of these findings, in the given order, with their counts. */
export function report(findings: Finding[]): FindingsReport {
  return {
    findings,
    counts: countFindings(findings),
    generatedAt: '2025-01-02T03:04:05.000Z',
  };
}

// Exact values only: the tests' filters are the values of their findings.
function matches(wanted: string | string[] | undefined, value: string) {
  const values = ([] as string[]).concat(wanted ?? []).filter(Boolean);
  return values.length === 0 || values.includes(value);
}

/** Whether a finding passes a query, as the backend's filters decide. */
function matchesQuery(f: Finding, query: FindingsQuery = {}): boolean {
  return (
    matches(query.entityRef, f.entityRef) &&
    matches(query.owner, f.owner) &&
    matches(query.account, f.accountId) &&
    matches(query.region, f.region) &&
    matches(query.rule, f.ruleId) &&
    matches(query.severity, f.severity)
  );
}

/** A client answering with these findings, filtered as the backend would. */
export function mockMeterSiemApi(
  findings: Finding[],
): jest.Mocked<MeterSiemApi> {
  return {
    getFindings: jest.fn(async query =>
      report(findings.filter(f => matchesQuery(f, query))),
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
    verifyDelivery: jest
      .fn<
        ReturnType<MeterSiemApi['verifyDelivery']>,
        Parameters<MeterSiemApi['verifyDelivery']>
      >()
      .mockRejectedValue(new Error('verifyDelivery is not faked in this test')),
  };
}
