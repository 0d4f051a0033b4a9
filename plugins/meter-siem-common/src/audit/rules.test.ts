import { AUDIT_RULES, AUDIT_SEVERITIES, quoted, ruleFinding } from './rules';

describe('AUDIT_RULES', () => {
  it('lists every rule under its own id, with a known severity', () => {
    for (const [id, rule] of Object.entries(AUDIT_RULES)) {
      expect(rule.id).toBe(id);
      expect(AUDIT_SEVERITIES).toContain(rule.severity);
      expect(rule.title).not.toBe('');
      expect(rule.description).not.toBe('');
      expect(rule.remedy).not.toBe('');
    }
  });

  it('ranks security posture above tags', () => {
    const rank = (id: keyof typeof AUDIT_RULES) =>
      AUDIT_SEVERITIES.indexOf(AUDIT_RULES[id].severity);
    expect(rank('trust-any-principal')).toBeLessThan(rank('owner-tag-missing'));
    expect(rank('trust-without-external-id')).toBe(0);
    expect(rank('policy-too-broad')).toBeLessThan(rank('required-tag-missing'));
  });

  it('orders the severities most severe first', () => {
    expect(AUDIT_SEVERITIES).toEqual(['critical', 'high', 'medium', 'low']);
  });
});

describe('ruleFinding', () => {
  it("gives the rule's severity, title and remedy, with the message", () => {
    const arn = 'arn:aws:iam::123456789012:role/meter-siem-x';
    expect(ruleFinding('owner-tag-missing', 'role', 'No owner.', arn)).toEqual({
      ruleId: 'owner-tag-missing',
      severity: AUDIT_RULES['owner-tag-missing'].severity,
      title: AUDIT_RULES['owner-tag-missing'].title,
      remedy: AUDIT_RULES['owner-tag-missing'].remedy,
      message: 'No owner.',
      resource: 'role',
      resourceArn: arn,
    });
  });

  it('leaves the ARN out when there is none', () => {
    expect(
      ruleFinding('unmanaged', 'integration', 'By hand.'),
    ).not.toHaveProperty('resourceArn');
  });

  it('quotes the values a message lists', () => {
    expect(quoted(['a', 'b'])).toBe('"a", "b"');
  });
});
