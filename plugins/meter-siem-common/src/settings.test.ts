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
