import { account } from '../__testUtils__/audit';
import {
  AuditFinding,
  FINDING_FILTER_FIELDS,
  compareFindings,
  countFindings,
  filterFindings,
} from './report';

const base: AuditFinding = {
  id: '',
  ruleId: 'unmanaged',
  severity: 'low',
  title: '',
  message: '',
  remedy: '',
  resource: 'integration',
  entityRef: 'resource:default/a',
  integration: 'a',
  owner: 'group:default/network',
  accountId: account,
  region: 'eu-west-1',
  environment: '',
  mine: false,
};

describe('compareFindings and countFindings', () => {
  const f = (over: Partial<AuditFinding>): AuditFinding => ({
    ...base,
    ...over,
    id: `${over.severity ?? base.severity}:${
      over.integration ?? base.integration
    }`,
  });

  it("puts the caller's own first, then by severity, then by integration", () => {
    const findings = [
      f({ severity: 'critical', integration: 'b' }),
      f({ severity: 'low', integration: 'a', mine: true }),
      f({ severity: 'critical', integration: 'a' }),
      f({ severity: 'high', integration: 'c', mine: true }),
    ].sort(compareFindings);
    expect(findings.map(x => [x.mine, x.severity, x.integration])).toEqual([
      [true, 'high', 'c'],
      [true, 'low', 'a'],
      [false, 'critical', 'a'],
      [false, 'critical', 'b'],
    ]);
  });

  it("counts every severity and owner, and the caller's own", () => {
    expect(
      countFindings([
        f({ severity: 'critical' }),
        f({ owner: 'user:default/jane', mine: true }),
        f({}),
      ]),
    ).toEqual({
      bySeverity: { critical: 1, high: 0, medium: 0, low: 2 },
      byOwner: { 'group:default/network': 2, 'user:default/jane': 1 },
      mine: 1,
      byAccount: { [account]: 3 },
      byRegion: { 'eu-west-1': 3 },
      byRule: { [base.ruleId]: 3 },
      mineByOwner: { 'user:default/jane': 1 },
    });
  });
});

describe('filterFindings', () => {
  const findings: AuditFinding[] = [
    { ...base, id: 'low' },
    { ...base, id: 'high', severity: 'high', ruleId: 'policy-too-broad' },
    { ...base, id: 'jane', owner: 'user:default/Jane', region: 'us-east-1' },
    { ...base, id: 'other', accountId: '123456789012' },
  ];
  const ids = (filters: Parameters<typeof filterFindings>[1]) =>
    filterFindings(findings, filters).map(f => f.id);

  it('keeps every finding without filters, or with empty ones', () => {
    expect(ids({})).toEqual(['low', 'high', 'jane', 'other']);
    expect(ids({ owner: [], severity: [] })).toEqual([
      'low',
      'high',
      'jane',
      'other',
    ]);
  });

  it('narrows by each field, any of the values wanted', () => {
    expect(ids({ severity: ['high'] })).toEqual(['high']);
    expect(ids({ rule: ['policy-too-broad', 'left-behind'] })).toEqual([
      'high',
    ]);
    expect(ids({ region: ['us-east-1'] })).toEqual(['jane']);
    expect(ids({ account: ['123456789012'] })).toEqual(['other']);
    expect(ids({ owner: ['group:default/network'] })).toEqual([
      'low',
      'high',
      'other',
    ]);
  });

  it('keeps what passes every filter', () => {
    expect(
      ids({ owner: ['group:default/network'], severity: ['low'] }),
    ).toEqual(['low', 'other']);
    expect(ids({ region: ['us-east-1'], severity: ['high'] })).toEqual([]);
  });

  it('compares values without regard to case', () => {
    expect(ids({ owner: ['user:default/jane'] })).toEqual(['jane']);
    expect(ids({ severity: ['HIGH'] })).toEqual(['high']);
  });

  it('compares owners as refs: a bare name is a group in the default namespace', () => {
    expect(ids({ owner: ['network'] })).toEqual(['low', 'high', 'other']);
    expect(ids({ owner: ['group:Network'] })).toEqual(['low', 'high', 'other']);
    expect(ids({ owner: ['user:jane'] })).toEqual(['jane']);
  });

  it('filters on the fields the audit API names its parameters after', () => {
    expect(Object.keys(FINDING_FILTER_FIELDS)).toEqual([
      'owner',
      'account',
      'region',
      'rule',
      'severity',
    ]);
  });
});
