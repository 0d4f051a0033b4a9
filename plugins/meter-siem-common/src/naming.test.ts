import { DEFAULT_NAME_PREFIX, resourceNames } from './naming';
import { LIMITS } from './limits';
import { rules } from './validation';

describe('resourceNames', () => {
  it('derives the names from the integration name', () => {
    expect(DEFAULT_NAME_PREFIX).toBe('meter-siem-');
    expect(resourceNames('corp-hq')).toEqual({
      stream: 'meter-siem-corp-hq',
      role: 'meter-siem-corp-hq',
      policy: 'meter-siem-corp-hq-kinesis-write',
    });
  });

  it('uses a configured prefix', () => {
    expect(resourceNames('corp-hq', 'siem-')).toEqual({
      stream: 'siem-corp-hq',
      role: 'siem-corp-hq',
      policy: 'siem-corp-hq-kinesis-write',
    });
  });

  it('gives valid AWS names for the longest allowed integration name', () => {
    const name = 'a'.repeat(LIMITS.integrationName.max);
    const names = resourceNames(name);
    expect([
      ...rules.streamName(names.stream, 'stream'),
      ...rules.roleName(names.role, 'role'),
      ...rules.policyName(names.policy, 'policy'),
    ]).toEqual([]);
  });
});
