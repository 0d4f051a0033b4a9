import { findingsCsvFilename } from './router';

const day = new Date('2026-11-28T23:30:00.000Z');

describe('findingsCsvFilename', () => {
  it('names the whole report by the day', () => {
    expect(findingsCsvFilename({}, undefined, day)).toBe(
      'meter-siem-findings-all-2026-11-28.csv',
    );
    expect(
      findingsCsvFilename({ owner: [], severity: [] }, undefined, day),
    ).toBe('meter-siem-findings-all-2026-11-28.csv');
  });

  it('names a filtered report by its filters, owners as people read them', () => {
    expect(
      findingsCsvFilename(
        {
          owner: ['group:default/security', 'user:default/jane'],
          account: ['111111111111'],
          region: ['eu-west-1'],
          rule: ['owner-tag-missing'],
          severity: ['critical', 'high'],
        },
        undefined,
        day,
      ),
    ).toBe(
      'meter-siem-findings-owner-security_user-jane-account-111111111111-region-eu-west-1-rule-owner-tag-missing-severity-critical_high-2026-11-28.csv',
    );
    expect(
      findingsCsvFilename({ owner: ['group:ops/sre'] }, undefined, day),
    ).toBe('meter-siem-findings-owner-ops-sre-2026-11-28.csv');
  });

  it("names one integration's report by its entity", () => {
    expect(
      findingsCsvFilename(
        {},
        'resource:default/hq-111111111111',
        new Date('2026-01-02T00:00:00.000Z'),
      ),
    ).toBe('meter-siem-findings-hq-111111111111-2026-01-02.csv');
  });

  it('keeps to a short, plain file name whatever the values', () => {
    const name = findingsCsvFilename(
      { region: ['x'.repeat(300)], account: ['../../etc/"passwd"; x'] },
      undefined,
      day,
    );
    expect(name).toMatch(/^meter-siem-findings-[a-z0-9._-]+-2026-11-28\.csv$/);
    expect(name.length).toBeLessThanOrEqual(160);
    expect(name).not.toContain('..');
  });
});
