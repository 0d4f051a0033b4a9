import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Readable } from 'node:stream';
import { AWS_CONTROL_PLANE_RATES } from './awsRates';
import { AwsRateLimiter, PacedCall, withRateLimits } from './rateLimiter';
import type { MultiRegionClients } from './clients';

describe('AwsRateLimiter', () => {
  it('paces at a fraction of the published rates by default', () => {
    const limiter = new AwsRateLimiter();
    expect(limiter.rateOf('kinesis:ListTagsForStream')).toBeCloseTo(4);
    expect(limiter.rateOf('kinesis:DescribeStreamSummary')).toBeCloseTo(16);
    expect(limiter.rateOf('cloudwatch:DescribeAlarms')).toBeCloseTo(7.2);
    expect(limiter.rateOf('kinesis:PutRecords')).toBeUndefined();
    expect(
      new AwsRateLimiter({
        fraction: 0.5,
        overrides: { 'kinesis:ListTagsForStream': 50 },
      }).rateOf('kinesis:ListTagsForStream'),
    ).toBe(50);
    expect(AWS_CONTROL_PLANE_RATES['kinesis:ListTagsForStream']).toBe(5);
  });

  it('refuses a fraction outside (0, 1]', () => {
    expect(() => new AwsRateLimiter({ fraction: 0 })).toThrow(/above 0/);
    expect(() => new AwsRateLimiter({ fraction: 1.5 })).toThrow(/at most 1/);
  });

  it('spaces the calls of one account, region and operation evenly', async () => {
    const limiter = new AwsRateLimiter({
      rates: { 'kinesis:ListTagsForStream': 50 },
      fraction: 1,
    });
    const call = {
      accountId: '111122223333',
      region: 'us-east-1',
      operation: 'kinesis:ListTagsForStream',
    };
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 11 }, () =>
        limiter.acquire(call).then(() => times.push(Date.now() - started)),
      ),
    );
    // 11 calls at 50/s: the last one 200 ms after the first.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(195);
    const sorted = times.sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(15);
    }

    // Another region, operation or account has a budget of its own.
    const t = Date.now();
    await limiter.acquire({ ...call, region: 'eu-west-1' });
    await limiter.acquire({ ...call, accountId: '444455556666' });
    await limiter.acquire({ ...call, operation: 'kinesis:ListStreams' });
    expect(Date.now() - t).toBeLessThan(15);
  });

  it('paces IAM per account, whatever the region', async () => {
    const limiter = new AwsRateLimiter({
      rates: { 'iam:ListRoles': 20 },
      fraction: 1,
    });
    const started = Date.now();
    await limiter.acquire({
      accountId: '1',
      region: 'us-east-1',
      operation: 'iam:ListRoles',
    });
    await limiter.acquire({
      accountId: '1',
      region: 'eu-west-1',
      operation: 'iam:ListRoles',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('stops waiting when the signal fires', async () => {
    const limiter = new AwsRateLimiter({
      rates: { 'kinesis:ListStreams': 1 },
      fraction: 1,
    });
    const call = {
      accountId: '1',
      region: 'us-east-1',
      operation: 'kinesis:ListStreams',
    };
    await limiter.acquire(call);
    const controller = new AbortController();
    const waiting = limiter.acquire(call, controller.signal);
    controller.abort(new Error('sync timed out'));
    await expect(waiting).rejects.toThrow('sync timed out');
  });
});

/** An HTTP handler answering every Kinesis call at once, or throttling. */
function fakeHandler(answers: Array<'ok' | 'throttle'>) {
  return {
    handle: async () => {
      const answer = answers.shift() ?? 'ok';
      const body =
        answer === 'ok'
          ? '{}'
          : JSON.stringify({
              __type: 'LimitExceededException',
              message: 'Rate exceeded',
            });
      return {
        response: {
          statusCode: answer === 'ok' ? 200 : 400,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  };
}

describe('withRateLimits', () => {
  const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

  function clientsWith(handler: ReturnType<typeof fakeHandler>) {
    const kinesis = new KinesisClient({
      region: 'us-east-1',
      credentials,
      requestHandler: handler as any,
      retryMode: 'standard',
      maxAttempts: 3,
    });
    return {
      accountId: '111122223333',
      iam: new IAMClient({ region: 'us-east-1', credentials }),
      kinesis: () => kinesis,
      cloudwatch: () =>
        new CloudWatchClient({ region: 'us-east-1', credentials }),
    } satisfies MultiRegionClients;
  }

  it('paces every attempt, retries included, and tells of each', async () => {
    const calls: PacedCall[] = [];
    const throttled: PacedCall[] = [];
    const limiter = new AwsRateLimiter({
      rates: { 'kinesis:DescribeStreamSummary': 20 },
      fraction: 1,
    });
    const clients = withRateLimits(
      clientsWith(fakeHandler(['ok', 'ok', 'throttle', 'ok'])),
      limiter,
      {
        onCall: call => calls.push(call),
        onThrottled: call => throttled.push(call),
      },
    );
    const kinesis = clients.kinesis('us-east-1');
    // The same client again: paced once, not twice.
    expect(clients.kinesis('us-east-1')).toBe(kinesis);
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 's' }));
    }
    // Four attempts (the third call was throttled once) at 20/s.
    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual({
      accountId: '111122223333',
      region: 'us-east-1',
      operation: 'kinesis:DescribeStreamSummary',
    });
    expect(throttled).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // Operations without a rate are counted, not paced.
    await kinesis.send(new ListTagsForStreamCommand({ StreamName: 's' }));
    expect(calls[4].operation).toBe('kinesis:ListTagsForStream');
  });
});
