import { AuditFacts } from './audit/facts';
import { DEFAULT_METER_PRINCIPAL_ARN } from './constants';
import { buildTrustPolicy, readTrust } from './policies';
import { planRotation, rotationFinding } from './rotation';

const principalArn = DEFAULT_METER_PRINCIPAL_ARN;
const now = new Date('2026-11-28T12:00:00Z');
const trustOf = (...ids: string[]) =>
  buildTrustPolicy({ principalArn, externalId: ids });
const plan = (step: 'start' | 'finish', ids: string[], tagged = false) =>
  planRotation(step, trustOf(...ids), {
    principalArn,
    newId: () => 'new',
    now,
    tagged,
  });

describe('planRotation', () => {
  it('starts by accepting the old and a new ID, old first, and tags the time', () => {
    const p = plan('start', ['old']);
    expect(readTrust(p.trust!, principalArn).externalIds).toEqual([
      'old',
      'new',
    ]);
    expect(p.tag).toEqual({ set: '2026-11-28T12:00:00.000Z' });
    expect(p.summary).not.toContain('new"');
  });

  it('finishes by keeping only the newer ID and removing the tag', () => {
    const p = plan('finish', ['old', 'new'], true);
    expect(readTrust(p.trust!, principalArn).externalIds).toEqual(['new']);
    expect(p.tag).toBe('remove');
  });

  it('converges on a re-run of either step', () => {
    expect(plan('start', ['old', 'new'], true)).toEqual({
      summary: expect.stringMatching(/already in progress/),
    });
    // A start that failed before tagging is completed.
    expect(plan('start', ['old', 'new'], false).tag).toEqual({
      set: now.toISOString(),
    });
    expect(plan('finish', ['new'])).toEqual({
      summary: expect.stringMatching(/Nothing to finish/),
    });
    expect(plan('finish', ['new'], true).tag).toBe('remove');
  });

  it('refuses a trust policy changed by hand, changing nothing', () => {
    const widened = trustOf('old');
    widened.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'sts:AssumeRole',
    });
    const noId = buildTrustPolicy({ principalArn, externalId: 'x' });
    delete noId.Statement[0].Condition;
    for (const trust of [widened, noId, trustOf('a', 'b', 'c')]) {
      expect(() =>
        planRotation('start', trust, {
          principalArn,
          newId: () => 'new',
          now,
          tagged: false,
        }),
      ).toThrow(/not the one Backstage writes/);
    }
  });
});

describe('rotationFinding', () => {
  const facts = (trust: AuditFacts['trust']): AuditFacts => ({
    roleArn: 'arn:aws:iam::123456789012:role/r',
    trust,
  });
  const options = { now: now.getTime(), rotationMaxAgeMs: 24 * 3_600_000 };
  const base = { trustsMeter: true, hasExternalIdCondition: true };

  it('reports a rotation older than the configured age, not a younger one', () => {
    expect(
      rotationFinding(
        facts({
          ...base,
          externalIdCount: 2,
          rotationStartedAt: '2026-11-28T00:00:00.000Z',
        }),
        options,
      ),
    ).toBeUndefined();
    expect(
      rotationFinding(
        facts({
          ...base,
          externalIdCount: 2,
          rotationStartedAt: '2026-11-26T12:00:00.000Z',
        }),
        options,
      ),
    ).toMatchObject({
      ruleId: 'rotation-half-done',
      severity: 'medium',
      resource: 'role',
      message: expect.stringMatching(/started 48 hours ago/),
    });
  });

  it('reports two IDs without a start time, and nothing with one ID', () => {
    expect(
      rotationFinding(facts({ ...base, externalIdCount: 2 }), options)?.message,
    ).toMatch(/no rotation was started by Backstage/);
    expect(rotationFinding(facts(base), options)).toBeUndefined();
  });
});
