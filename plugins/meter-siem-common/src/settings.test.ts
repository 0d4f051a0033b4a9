import { resolveSettings } from './settings';

describe('resolveSettings', () => {
  const defaults = {
    meterPrincipalArn: 'arn:aws:iam::458553032353:role/Meter-data-export',
    tagKeys: {
      owner: 'owner',
      environment: 'environment',
      managedBy: 'managed-by',
      integration: 'meter-siem-integration',
      system: 'system',
    },
    namePrefix: 'meter-siem-',
  };

  it('gives the documented defaults when nothing is configured', () => {
    expect(resolveSettings()).toEqual(defaults);
    expect(resolveSettings({})).toEqual(defaults);
  });

  it('takes every configured value', () => {
    expect(
      resolveSettings({
        meterPrincipalArn: 'arn:aws:iam::111111111111:role/Meter-staging',
        tagKeys: {
          owner: 'Owner',
          environment: 'Environment',
          managedBy: 'ManagedBy',
          integration: 'MeterIntegration',
          system: 'System',
        },
        namePrefix: 'siem-',
      }),
    ).toEqual({
      meterPrincipalArn: 'arn:aws:iam::111111111111:role/Meter-staging',
      tagKeys: {
        owner: 'Owner',
        environment: 'Environment',
        managedBy: 'ManagedBy',
        integration: 'MeterIntegration',
        system: 'System',
      },
      namePrefix: 'siem-',
    });
  });

  it('fills in the tag keys the config leaves out', () => {
    expect(resolveSettings({ tagKeys: { owner: 'team' } }).tagKeys).toEqual({
      ...defaults.tagKeys,
      owner: 'team',
    });
  });

  it('keeps the default for a key a config reader gave as undefined', () => {
    expect(
      resolveSettings({
        meterPrincipalArn: undefined,
        tagKeys: { owner: undefined, environment: 'env' },
        namePrefix: undefined,
      }),
    ).toEqual({
      ...defaults,
      tagKeys: { ...defaults.tagKeys, environment: 'env' },
    });
  });

  it('does not share the default tag keys object', () => {
    const settings = resolveSettings();
    settings.tagKeys.owner = 'changed';
    expect(resolveSettings().tagKeys.owner).toBe('owner');
  });
});

describe('resolveSettings adminGroup', () => {
  it('has no admin group unless configured', () => {
    expect(resolveSettings().adminGroupRef).toBeUndefined();
  });
  it('reads a bare group name as a group in the default namespace', () => {
    expect(resolveSettings({ adminGroup: 'platform' }).adminGroupRef).toBe(
      'group:default/platform',
    );
  });
  it('refuses a ref that is not a group, naming the key', () => {
    expect(() => resolveSettings({ adminGroup: 'user:default/jane' })).toThrow(
      /meterSiem.adminGroup must be a group reference/,
    );
  });
});
