import { ConfigReader } from '@backstage/config';
import { DEFAULT_AWS_CLIENT_SETTINGS, readAwsClientSettings } from './clients';

describe('readAwsClientSettings', () => {
  it('defaults to 5 s to connect, 30 s per request and 6 attempts', () => {
    expect(readAwsClientSettings(new ConfigReader({}))).toEqual({
      connectionTimeoutMs: 5_000,
      requestTimeoutMs: 30_000,
      maxAttempts: 6,
    });
    expect(readAwsClientSettings()).toEqual(DEFAULT_AWS_CLIENT_SETTINGS);
  });

  it('reads durations as objects or ISO strings, and the attempts', () => {
    const config = new ConfigReader({
      meterSiem: {
        awsClient: {
          connectionTimeout: { milliseconds: 800 },
          requestTimeout: 'PT2S',
          maxAttempts: 3,
        },
      },
    });
    expect(readAwsClientSettings(config)).toEqual({
      connectionTimeoutMs: 800,
      requestTimeoutMs: 2_000,
      maxAttempts: 3,
    });
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts must be a whole number of at least 1/],
    [{ maxAttempts: 1.5 }, /maxAttempts must be a whole number of at least 1/],
    [{ requestTimeout: { seconds: 0 } }, /requestTimeout must be a positive/],
  ])('refuses %j naming the key and the rule', (awsClient, message) => {
    expect(() =>
      readAwsClientSettings(new ConfigReader({ meterSiem: { awsClient } })),
    ).toThrow(message);
  });
});
