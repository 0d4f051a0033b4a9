import { AWS_REGIONS } from '@internal/backstage-plugin-meter-siem-common';
import { ConfigReader } from '@backstage/config';
import { readProviderConfig } from './config';

describe('readProviderConfig', () => {
  it('is absent without catalog.providers.meterSiem', () => {
    expect(readProviderConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('defaults to the main account, the fallback owner and a 30 minute sync', () => {
    const config = readProviderConfig(
      new ConfigReader({
        catalog: { providers: { meterSiem: { regions: ['eu-west-1'] } } },
        meterSiem: { tagKeys: { owner: 'team' } },
      }),
    );
    expect(config).toMatchObject({
      accounts: [{ regions: ['eu-west-1'] }],
      fallbackOwner: 'group:default/unowned',
      schedule: { frequency: { minutes: 30 }, timeout: { minutes: 10 } },
      settings: { tagKeys: { owner: 'team', environment: 'environment' } },
    });
  });

  it('gives each account its regions or the shared ones', () => {
    const config = readProviderConfig(
      new ConfigReader({
        catalog: {
          providers: {
            meterSiem: {
              regions: ['us-east-1'],
              accounts: [
                { accountId: '111122223333' },
                { accountId: '444455556666', regions: ['eu-west-1'] },
              ],
            },
          },
        },
      }),
    );
    expect(config?.accounts).toEqual([
      { accountId: '111122223333', regions: ['us-east-1'] },
      { accountId: '444455556666', regions: ['eu-west-1'] },
    ]);
  });

  it('scans every region the template offers unless told otherwise', () => {
    const config = readProviderConfig(
      new ConfigReader({ catalog: { providers: { meterSiem: {} } } }),
    );
    expect(config?.accounts).toEqual([{ regions: [...AWS_REGIONS] }]);
  });

  it('refuses an empty region list, naming the key', () => {
    expect(() =>
      readProviderConfig(
        new ConfigReader({
          catalog: { providers: { meterSiem: { regions: [] } } },
        }),
      ),
    ).toThrow(/catalog.providers.meterSiem regions must not be empty/);
  });
});
