import { AWS_REGIONS } from '@internal/backstage-plugin-meter-siem-common';
import { ConfigReader } from '@backstage/config';
import { readProviderConfig } from './config';

describe('readProviderConfig', () => {
  it('is absent without catalog.providers.meterSiem', () => {
    expect(readProviderConfig(new ConfigReader({}))).toBeUndefined();
  });

  it('defaults to the main account, the fallback owner and a sync every minute keeping facts younger than 15 minutes', () => {
    const config = readProviderConfig(
      new ConfigReader({
        catalog: { providers: { meterSiem: { regions: ['eu-west-1'] } } },
        meterSiem: { tagKeys: { owner: 'team' } },
      }),
    );
    expect(config).toMatchObject({
      accounts: [{ regions: ['eu-west-1'] }],
      fallbackOwner: 'group:default/unowned',
      schedule: { frequency: { minutes: 1 }, timeout: { minutes: 3 } },
      settings: { tagKeys: { owner: 'team', environment: 'environment' } },
      freshness: {
        maxAgeMs: 15 * 60_000,
        readBudgetMs: 45_000,
        intervalMs: 60_000,
        timeoutMs: 180_000,
      },
      apiRates: { fraction: 0.8, overrides: {} },
    });
  });

  it('reads the maximum age of facts, the read budget and the rates', () => {
    const config = readProviderConfig(
      new ConfigReader({
        catalog: {
          providers: {
            meterSiem: {
              maxFactsAge: 'PT30M',
              readBudget: { seconds: 50 },
              schedule: {
                frequency: { minutes: 2 },
                timeout: { minutes: 5 },
              },
              apiRates: {
                fraction: 0.5,
                perSecond: { 'kinesis:ListTagsForStream': 50 },
              },
            },
          },
        },
      }),
    );
    expect(config?.freshness).toEqual({
      maxAgeMs: 30 * 60_000,
      readBudgetMs: 50_000,
      intervalMs: 120_000,
      timeoutMs: 300_000,
    });
    expect(config?.apiRates).toEqual({
      fraction: 0.5,
      overrides: { 'kinesis:ListTagsForStream': 50 },
    });
  });

  it('keeps the read budget within the schedule timeout', () => {
    const config = readProviderConfig(
      new ConfigReader({
        catalog: {
          providers: {
            meterSiem: {
              schedule: {
                frequency: { cron: '*/5 * * * *' },
                timeout: { seconds: 20 },
              },
            },
          },
        },
      }),
    );
    // 75% of the timeout; a cron counts as a minute between syncs.
    expect(config?.freshness).toMatchObject({
      readBudgetMs: 15_000,
      intervalMs: 60_000,
    });
  });

  it('refuses a maximum age that is no duration, or a share of the rates above 1', () => {
    const read = (meterSiem: object) => () =>
      readProviderConfig(
        new ConfigReader({ catalog: { providers: { meterSiem } } }),
      );
    expect(read({ maxFactsAge: { minutes: 0 } })).toThrow(
      /maxFactsAge must be a positive duration/,
    );
    expect(read({ apiRates: { fraction: 2 } })).toThrow(
      /apiRates.fraction must be above 0 and at most 1/,
    );
    expect(
      read({ apiRates: { perSecond: { 'kinesis:ListStreams': 0 } } }),
    ).toThrow(/apiRates.perSecond.kinesis:ListStreams must be above 0/);
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
