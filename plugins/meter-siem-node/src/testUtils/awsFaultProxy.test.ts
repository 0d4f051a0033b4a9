import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  KinesisClient,
  ListStreamsCommand,
  StartStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomBytes } from 'node:crypto';
import {
  AWS_RATE_LIMITS,
  AwsCall,
  AwsFault,
  AwsFaultProxy,
  startAwsFaultProxy,
} from './awsFaultProxy';

/** The tests need moto server: its URL comes in AWS_ENDPOINT_URL. */
function requireMoto(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: start moto server and export AWS_ENDPOINT_URL',
    );
  }
  return endpoint;
}

const MOTO = requireMoto();
const REGION = 'us-east-1';
const CALLER = 'backstage-meter-siem-faultproxytest';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const unique = (prefix: string) =>
  `faultproxy-${prefix}-${randomBytes(4).toString('hex')}`;

interface ClientOptions {
  maxAttempts?: number;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
}

const common = (endpoint: string, options: ClientOptions) => ({
  endpoint,
  region: REGION,
  credentials,
  customUserAgent: CALLER,
  maxAttempts: options.maxAttempts ?? 1,
  requestHandler: new NodeHttpHandler({
    requestTimeout: options.requestTimeout,
    throwOnRequestTimeout: options.throwOnRequestTimeout,
  }),
});
const kinesisAt = (endpoint: string, options: ClientOptions = {}) =>
  new KinesisClient(common(endpoint, options));
const iamAt = (endpoint: string, options: ClientOptions = {}) =>
  new IAMClient(common(endpoint, options));
const stsAt = (endpoint: string, options: ClientOptions = {}) =>
  new STSClient(common(endpoint, options));

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** The calls without their times. */
const named = (calls: AwsCall[]) =>
  calls.map(({ startedAt, endedAt, ...call }) => {
    expect(startedAt).toBeLessThanOrEqual(endedAt ?? Date.now());
    return call;
  });

/** The error a promise ends in (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/**
 * The connection was reset under the call. Node's own errors come from
 * outside Jest's realm, so the SDK wraps them ("AWS SDK error wrapper for
 * TimeoutError: read ECONNRESET"); outside Jest `code` is ECONNRESET.
 */
function expectConnectionReset(error: any) {
  expect(`${error.code ?? ''} ${error.message}`).toMatch(
    /ECONNRESET|socket hang up/,
  );
  expect(error.$response).toBeUndefined();
}

jest.setTimeout(30_000);

describe('startAwsFaultProxy', () => {
  let proxy: AwsFaultProxy;
  // Straight to moto, for setup and checks the proxy must not see.
  const direct = { kinesis: kinesisAt(MOTO), iam: iamAt(MOTO) };
  const streams: string[] = [];
  const roles: string[] = [];

  const createStream = async (name = unique('s')) => {
    await direct.kinesis.send(
      new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
    );
    streams.push(name);
    return name;
  };
  const createRole = async (name = unique('r')) => {
    await direct.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: TRUST,
      }),
    );
    roles.push(name);
    return name;
  };

  beforeAll(async () => {
    proxy = await startAwsFaultProxy({ target: MOTO });
  });
  afterEach(() => {
    proxy.clear();
    proxy.resetCalls();
  });
  afterAll(async () => {
    await proxy?.close();
    for (const StreamName of streams) {
      await direct.kinesis
        .send(new DeleteStreamCommand({ StreamName }))
        .catch(() => undefined);
    }
    for (const RoleName of roles) {
      await direct.iam
        .send(new DeleteRoleCommand({ RoleName }))
        .catch(() => undefined);
    }
    direct.kinesis.destroy();
    direct.iam.destroy();
  });

  describe('answers each fault as AWS does, so the SDK names the error', () => {
    const describeStream = (StreamName: string) =>
      kinesisAt(proxy.url).send(
        new DescribeStreamSummaryCommand({ StreamName }),
      );
    const getRole = (RoleName: string) =>
      iamAt(proxy.url).send(new GetRoleCommand({ RoleName }));
    const whoAmI = () =>
      stsAt(proxy.url).send(new GetCallerIdentityCommand({}));

    it.each<[AwsFault, number, string, RegExp]>([
      ['throttle', 400, 'LimitExceededException', /^Rate exceeded for stream /],
      [
        'denied',
        400,
        'AccessDeniedException',
        /^User: arn:aws:iam::123456789012:user\/test is not authorized to perform: kinesis:DescribeStreamSummary on resource: arn:aws:kinesis:us-east-1:123456789012:stream\/faultproxy-/,
      ],
      ['server-error', 500, 'InternalFailure', /^Internal service failure/],
      ['unavailable', 503, 'ServiceUnavailable', /temporary failure/],
    ])('kinesis %s: HTTP %i %s', async (fault, status, name, message) => {
      const stream = await createStream();
      proxy.inject({ operation: 'kinesis:DescribeStreamSummary', fault });
      const error = await failureOf(describeStream(stream));
      expect(error.name).toBe(name);
      expect(error.message).toMatch(message);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.$metadata.attempts).toBe(1);
      expect(named(proxy.calls())).toEqual([
        { operation: 'kinesis:DescribeStreamSummary', caller: CALLER, fault },
      ]);
    });

    it.each<[AwsFault, number, string, RegExp]>([
      ['throttle', 400, 'Throttling', /^Rate exceeded$/],
      [
        'denied',
        403,
        'AccessDenied',
        /^User: arn:aws:iam::123456789012:user\/test is not authorized to perform: iam:GetRole on resource: arn:aws:iam::123456789012:role\/faultproxy-r-[0-9a-f]+ because no identity-based policy allows the iam:GetRole action$/,
      ],
      ['server-error', 500, 'ServiceFailureException', /unknown error/],
      ['unavailable', 503, 'ServiceUnavailable', /temporary failure/],
    ])('iam %s: HTTP %i %s', async (fault, status, name, message) => {
      proxy.inject({ operation: 'iam:GetRole', fault });
      const error = await failureOf(getRole(unique('r')));
      expect(error.name).toBe(name);
      expect(error.message).toMatch(message);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.$metadata.attempts).toBe(1);
      expect(named(proxy.calls())).toEqual([
        { operation: 'iam:GetRole', caller: CALLER, fault },
      ]);
    });

    it.each<[AwsFault, number, string]>([
      ['throttle', 400, 'Throttling'],
      ['denied', 403, 'AccessDenied'],
      ['server-error', 500, 'InternalFailure'],
      ['unavailable', 503, 'ServiceUnavailable'],
    ])('sts %s: HTTP %i %s', async (fault, status, name) => {
      proxy.inject({ operation: 'sts:GetCallerIdentity', fault });
      const error = await failureOf(whoAmI());
      expect(error.name).toBe(name);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each(['kinesis', 'iam'])(
      '%s reset: the connection is reset without an answer',
      async service => {
        proxy.inject({ operation: `${service}:*`, fault: 'reset' });
        const error = await failureOf(
          service === 'kinesis'
            ? describeStream(unique('s'))
            : getRole(unique('r')),
        );
        expectConnectionReset(error);
        expect(error.$metadata).toMatchObject({ attempts: 1 });
      },
    );

    it.each(['kinesis', 'iam'])(
      '%s stall: no answer, until the request timeout ends the call',
      async service => {
        proxy.inject({ operation: '*', fault: 'stall' });
        const options = { requestTimeout: 300, throwOnRequestTimeout: true };
        const started = Date.now();
        const error = await failureOf(
          service === 'kinesis'
            ? kinesisAt(proxy.url, options).send(
                new DescribeStreamSummaryCommand({ StreamName: unique('s') }),
              )
            : iamAt(proxy.url, options).send(
                new GetRoleCommand({ RoleName: unique('r') }),
              ),
        );
        const tookMs = Date.now() - started;
        expect(error.name).toBe('TimeoutError');
        expect(tookMs).toBeGreaterThanOrEqual(290);
        expect(tookMs).toBeLessThan(1_000);
        expect(proxy.calls()).toHaveLength(1);
      },
    );
  });

  it('lost: the call takes effect, its answer never arrives', async () => {
    const kinesisName = unique('lost');
    proxy.inject({ operation: 'kinesis:CreateStream', fault: 'lost' });
    const kinesisError = await failureOf(
      kinesisAt(proxy.url).send(
        new CreateStreamCommand({ StreamName: kinesisName, ShardCount: 1 }),
      ),
    );
    streams.push(kinesisName);
    expectConnectionReset(kinesisError);
    const made = await direct.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: kinesisName }),
    );
    expect(made.StreamDescriptionSummary?.StreamName).toBe(kinesisName);

    // IAM, by hand: the retry finds the role the lost call made.
    const RoleName = unique('lost');
    roles.push(RoleName);
    const iam = iamAt(proxy.url);
    const create = () =>
      iam.send(
        new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }),
      );
    proxy.inject({ operation: 'iam:CreateRole', fault: 'lost', times: 1 });
    expectConnectionReset(await failureOf(create()));
    const again = await failureOf(create());
    expect(again.name).toBe('EntityAlreadyExistsException');
    expect(
      (await direct.iam.send(new GetRoleCommand({ RoleName }))).Role?.RoleName,
    ).toBe(RoleName);
    expect(proxy.calls().map(c => [c.operation, c.fault])).toEqual([
      ['kinesis:CreateStream', 'lost'],
      ['iam:CreateRole', 'lost'],
      ['iam:CreateRole', undefined],
    ]);
  });

  it("lost: the SDK's own retry meets the call's effect", async () => {
    const RoleName = unique('lost');
    roles.push(RoleName);
    proxy.inject({ operation: 'iam:CreateRole', fault: 'lost', times: 1 });
    const error = await failureOf(
      iamAt(proxy.url, { maxAttempts: 2 }).send(
        new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }),
      ),
    );
    expect(error.name).toBe('EntityAlreadyExistsException');
    expect(error.$metadata.attempts).toBe(2);
  });

  describe('times', () => {
    it.each<[string, AwsFault]>([
      ['kinesis', 'server-error'],
      ['kinesis', 'throttle'],
      ['iam', 'unavailable'],
      ['iam', 'reset'],
    ])(
      '%s %s twice: the third attempt of three succeeds',
      async (service, fault) => {
        const name =
          service === 'kinesis' ? await createStream() : await createRole();
        proxy.inject({ operation: `${service}:*`, fault, times: 2 });
        const answer =
          service === 'kinesis'
            ? kinesisAt(proxy.url, { maxAttempts: 3 })
                .send(new DescribeStreamSummaryCommand({ StreamName: name }))
                .then(a => ({
                  name: a.StreamDescriptionSummary?.StreamName,
                  attempts: a.$metadata.attempts,
                }))
            : iamAt(proxy.url, { maxAttempts: 3 })
                .send(new GetRoleCommand({ RoleName: name }))
                .then(a => ({
                  name: a.Role?.RoleName,
                  attempts: a.$metadata.attempts,
                }));
        expect(await answer).toEqual({ name, attempts: 3 });
        expect(proxy.calls().map(c => c.fault)).toEqual([
          fault,
          fault,
          undefined,
        ]);
      },
    );

    it('the SDK does not retry a denial', async () => {
      proxy.inject({ operation: 'iam:GetRole', fault: 'denied', times: 1 });
      const error = await failureOf(
        iamAt(proxy.url, { maxAttempts: 3 }).send(
          new GetRoleCommand({ RoleName: unique('r') }),
        ),
      );
      expect(error.name).toBe('AccessDenied');
      expect(proxy.calls()).toHaveLength(1);
    });

    it('matches rules in order; a spent rule lets the next one match', async () => {
      const kinesis = kinesisAt(proxy.url);
      const call = () => failureOf(kinesis.send(new ListStreamsCommand({})));
      proxy.inject({
        operation: 'kinesis:ListStreams',
        fault: 'denied',
        times: 1,
      });
      proxy.inject({ operation: '*', fault: 'unavailable', times: 2 });
      proxy.inject({ operation: 'kinesis:ListStreams', fault: 'throttle' });
      expect((await call()).name).toBe('AccessDeniedException');
      expect((await call()).name).toBe('ServiceUnavailable');
      expect((await call()).name).toBe('ServiceUnavailable');
      expect((await call()).name).toBe('LimitExceededException');
      expect((await call()).name).toBe('LimitExceededException');
      proxy.clear();
      await expect(kinesis.send(new ListStreamsCommand({}))).resolves.toEqual(
        expect.objectContaining({ StreamNames: expect.any(Array) }),
      );
    });
  });

  describe('holdStreamStatus', () => {
    it('says CREATING for one stream until forMs has passed, then ACTIVE', async () => {
      const held = await createStream();
      const other = await createStream();
      const kinesis = kinesisAt(proxy.url);
      const summary = async (StreamName: string) =>
        (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName })))
          .StreamDescriptionSummary?.StreamStatus;
      const full = async (StreamName: string) =>
        (await kinesis.send(new DescribeStreamCommand({ StreamName })))
          .StreamDescription?.StreamStatus;

      proxy.holdStreamStatus({
        status: 'CREATING',
        forMs: 800,
        streamName: held,
      });
      expect(await summary(held)).toBe('CREATING');
      expect(await full(held)).toBe('CREATING');
      expect(await summary(other)).toBe('ACTIVE');
      await new Promise(resolve => setTimeout(resolve, 900));
      expect(await summary(held)).toBe('ACTIVE');
      expect(await full(held)).toBe('ACTIVE');
    });

    it('holds every stream without a name; clear() ends the hold', async () => {
      const stream = await createStream();
      const kinesis = kinesisAt(proxy.url);
      const status = async () =>
        (
          await kinesis.send(
            new DescribeStreamSummaryCommand({ StreamName: stream }),
          )
        ).StreamDescriptionSummary?.StreamStatus;
      proxy.holdStreamStatus({ status: 'UPDATING', forMs: 60_000 });
      expect(await status()).toBe('UPDATING');
      proxy.clear();
      expect(await status()).toBe('ACTIVE');
    });
  });

  it('passes unmatched calls through and records every call with its caller', async () => {
    proxy.inject({ operation: 'iam:CreateRole', fault: 'denied' });
    proxy.inject({ operation: 'kinesis:DeleteStream', fault: 'server-error' });
    const name = unique('pass');
    streams.push(name);
    const kinesis = kinesisAt(proxy.url);
    await kinesis.send(
      new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
    );
    const described = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    expect(described.StreamDescriptionSummary).toMatchObject({
      StreamName: name,
      StreamStatus: 'ACTIVE',
      OpenShardCount: 1,
    });
    const missing = await failureOf(
      kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: unique('none') }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    const RoleName = unique('r');
    const noRole = await failureOf(
      iamAt(proxy.url).send(new GetRoleCommand({ RoleName })),
    );
    expect(noRole.name).toBe('NoSuchEntityException');
    const me = await new STSClient({
      endpoint: proxy.url,
      region: REGION,
      credentials,
      maxAttempts: 1,
    }).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('123456789012');

    expect(named(proxy.calls())).toEqual([
      { operation: 'kinesis:CreateStream', caller: CALLER },
      { operation: 'kinesis:DescribeStreamSummary', caller: CALLER },
      { operation: 'kinesis:DescribeStreamSummary', caller: CALLER },
      { operation: 'iam:GetRole', caller: CALLER },
      { operation: 'sts:GetCallerIdentity', caller: 'other' },
    ]);
    proxy.resetCalls();
    expect(proxy.calls()).toEqual([]);
  });

  it('close() ends stalled connections', async () => {
    const own = await startAwsFaultProxy({ target: MOTO });
    own.inject({ operation: '*', fault: 'stall' });
    // requestTimeout alone only warns (node-http-handler 4.14): without
    // throwOnRequestTimeout a stalled call waits, here until close().
    const pending = failureOf(
      kinesisAt(own.url, { requestTimeout: 100 }).send(
        new ListStreamsCommand({}),
      ),
    );
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const early = await Promise.race([
        pending.then(() => 'ended'),
        new Promise(resolve => setTimeout(() => resolve('still waiting'), 500)),
      ]);
      expect(early).toBe('still waiting');
      await own.close();
      const error = await pending;
      expectConnectionReset(error);
      expect(named(own.calls())).toEqual([
        { operation: 'kinesis:ListStreams', caller: CALLER, fault: 'stall' },
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('startAwsFaultProxy as AWS at its limits', () => {
  const direct = kinesisAt(MOTO);
  const streams: string[] = [];
  let proxy: AwsFaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    for (const StreamName of streams) {
      await direct
        .send(new DeleteStreamCommand({ StreamName }))
        .catch(() => undefined);
    }
  });

  it("throttles an operation over its rate per account and region, with Kinesis's error", async () => {
    proxy = await startAwsFaultProxy({
      target: MOTO,
      limits: { 'kinesis:ListStreams': 5 },
    });
    const kinesis = kinesisAt(proxy.url);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        kinesis.send(new ListStreamsCommand({})).then(
          () => 'ok',
          error => error.name,
        ),
      ),
    );
    expect(outcomes.filter(o => o === 'ok')).toHaveLength(5);
    expect(outcomes.filter(o => o === 'LimitExceededException')).toHaveLength(
      7,
    );
    expect(proxy.calls().filter(c => c.throttled)).toHaveLength(7);
    // Another region has its own budget; other operations have none.
    await new KinesisClient({
      ...common(proxy.url, {}),
      region: 'eu-west-1',
    }).send(new ListStreamsCommand({}));
    const missing = await failureOf(
      kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: unique('none') }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    // A second later the bucket is full again.
    await new Promise(resolve => setTimeout(resolve, 1_100));
    await kinesis.send(new ListStreamsCommand({}));
  });

  it("lets the SDK's retries carry a burst through the published rates", async () => {
    proxy = await startAwsFaultProxy({
      target: MOTO,
      limits: AWS_RATE_LIMITS,
    });
    const kinesis = kinesisAt(proxy.url, { maxAttempts: 10 });
    await Promise.all(
      Array.from({ length: 15 }, () =>
        kinesis.send(new ListStreamsCommand({})),
      ),
    );
    const calls = proxy.calls();
    expect(calls.filter(c => c.throttled).length).toBeGreaterThan(0);
    expect(calls.filter(c => !c.fault)).toHaveLength(15);
  });

  it('keeps a new stream CREATING, refuses changes meanwhile, and updates take their time', async () => {
    proxy = await startAwsFaultProxy({
      target: MOTO,
      transitions: { CREATING: 800, UPDATING: 500 },
    });
    const kinesis = kinesisAt(proxy.url);
    const name = unique('t');
    const other = unique('t');
    streams.push(name, other);
    await kinesis.send(
      new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
    );
    const status = async (StreamName = name) =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName })))
        .StreamDescriptionSummary?.StreamStatus;
    expect(await status()).toBe('CREATING');
    const refused = await failureOf(
      kinesis.send(
        new EnableEnhancedMonitoringCommand({
          StreamName: name,
          ShardLevelMetrics: ['IncomingRecords'],
        }),
      ),
    );
    expect(refused.name).toBe('ResourceInUseException');
    expect(refused.message).toContain('not ACTIVE, instead in state CREATING');
    // moto never saw it.
    const { StreamDescriptionSummary: inMoto } = await direct.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    expect(inMoto?.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? []).toEqual(
      [],
    );
    // Another stream, made by moto directly, is unaffected.
    await direct.send(
      new CreateStreamCommand({ StreamName: other, ShardCount: 1 }),
    );
    expect(await status(other)).toBe('ACTIVE');

    await waitFor(async () => expect(await status()).toBe('ACTIVE'));
    await kinesis.send(
      new StartStreamEncryptionCommand({
        StreamName: name,
        EncryptionType: 'KMS',
        KeyId: 'alias/aws/kinesis',
      }),
    );
    expect(await status()).toBe('UPDATING');
    await waitFor(async () => expect(await status()).toBe('ACTIVE'));
    expect(
      proxy.calls().filter(c => c.refused === 'ResourceInUseException'),
    ).toHaveLength(1);
  });

  it('refuses a sixth stream CREATING at once, as AWS does', async () => {
    proxy = await startAwsFaultProxy({
      target: MOTO,
      transitions: { CREATING: 5_000 },
    });
    const kinesis = kinesisAt(proxy.url);
    const names = Array.from({ length: 6 }, () => unique('c'));
    streams.push(...names);
    for (const StreamName of names.slice(0, 5)) {
      await kinesis.send(
        new CreateStreamCommand({ StreamName, ShardCount: 1 }),
      );
    }
    const sixth = await failureOf(
      kinesis.send(
        new CreateStreamCommand({ StreamName: names[5], ShardCount: 1 }),
      ),
    );
    expect(sixth.name).toBe('LimitExceededException');
  });
});

async function waitFor(check: () => Promise<void>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}
