import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { eventually } from './eventually';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListStreamsCommand,
  ListTagsForStreamCommand,
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
  const streams: Array<{ StreamName: string; region: string }> = [];
  let proxy: AwsFaultProxy | undefined;
  const OTHER_ACCOUNT = '111111111111';

  /** A client whose calls moto serves in another account. */
  const inAccount = <C extends KinesisClient | IAMClient>(
    client: C,
    account: string,
  ): C => {
    client.middlewareStack.add(
      next => async args => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'motoAccount' },
    );
    return client;
  };
  const kinesisIn = (
    url: string,
    region = REGION,
    options: ClientOptions = {},
  ) => new KinesisClient({ ...common(url, options), region });
  const iamIn = (url: string, region = REGION) =>
    new IAMClient({ ...common(url, {}), region });
  /** Settles every call, naming the error of each failed one. */
  const outcomesOf = (calls: Array<Promise<unknown>>) =>
    Promise.all(
      calls.map(call =>
        call.then(
          () => 'ok',
          error => error.name as string,
        ),
      ),
    );
  const count = (outcomes: string[], outcome: string) =>
    outcomes.filter(o => o === outcome).length;
  const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    for (const { StreamName, region } of streams) {
      await kinesisIn(MOTO, region)
        .send(new DeleteStreamCommand({ StreamName }))
        .catch(() => undefined);
    }
    direct.destroy();
  });

  describe('limits', () => {
    it("throttles a burst over the rate with Kinesis's own error, then refills", async () => {
      const StreamName = unique('l');
      streams.push({ StreamName, region: REGION });
      await direct.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      proxy = await startAwsFaultProxy({
        target: MOTO,
        limits: { 'kinesis:ListTagsForStream': 5 },
      });
      const kinesis = kinesisAt(proxy.url); // maxAttempts: 1
      const listTags = () =>
        kinesis.send(new ListTagsForStreamCommand({ StreamName }));

      const errors = await Promise.all(
        Array.from({ length: 12 }, () =>
          listTags().then(
            () => undefined,
            error => error,
          ),
        ),
      );
      const burst = errors.map(error => (error ? error.name : 'ok'));
      const calls = proxy.calls();
      // The bucket holds 5 calls and gains one every 200 ms: the burst gets
      // 5, plus one per 200 ms it took to arrive (none when it is quick).
      const spreadMs =
        Math.max(...calls.map(c => c.endedAt!)) -
        Math.min(...calls.map(c => c.startedAt));
      const passed = count(burst, 'ok');
      expect(passed).toBeGreaterThanOrEqual(5);
      expect(passed).toBeLessThanOrEqual(5 + Math.floor(spreadMs / 200));
      expect(count(burst, 'LimitExceededException')).toBe(12 - passed);
      // The first five to arrive passed; the throttled ones are marked so.
      expect(calls.slice(0, 5).map(c => c.fault)).toEqual(
        Array(5).fill(undefined),
      );
      expect(calls.filter(c => c.throttled)).toEqual(
        Array(12 - passed).fill({
          operation: 'kinesis:ListTagsForStream',
          caller: CALLER,
          fault: 'throttle',
          throttled: true,
          startedAt: expect.any(Number),
          endedAt: expect.any(Number),
        }),
      );
      const error = errors.find(e => e);
      expect(error.name).toBe('LimitExceededException');
      expect(error.message).toBe(
        `Rate exceeded for stream ${StreamName} under account 123456789012.`,
      );
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(proxy.limitsReport()).toEqual([
        {
          operation: 'kinesis:ListTagsForStream',
          calls: 12,
          throttled: 12 - passed,
        },
      ]);

      // A second later the bucket is full again: five more pass.
      await sleep(1_100);
      const later = await outcomesOf(Array.from({ length: 5 }, listTags));
      expect(later).toEqual(Array(5).fill('ok'));
    });

    it('keeps a budget per account and region; IAM, global, per account only', async () => {
      proxy = await startAwsFaultProxy({
        target: MOTO,
        limits: { 'kinesis:ListStreams': 2, 'iam:ListRoles': 2 },
      });
      const url = proxy.url;
      const listStreams = (client: KinesisClient) => () =>
        client.send(new ListStreamsCommand({}));
      const listRoles = (client: IAMClient) => () =>
        client.send(new ListRolesCommand({}));
      // A bucket of 2 that gains one every 500 ms: a burst of 3 gets 2.
      const burstOf3 = (call: () => Promise<unknown>) =>
        outcomesOf([call(), call(), call()]);

      const here = kinesisIn(url);
      expect(await burstOf3(listStreams(here))).toEqual([
        'ok',
        'ok',
        'LimitExceededException',
      ]);
      // The same account in another region, another account in this one:
      // their own budgets.
      expect(await burstOf3(listStreams(kinesisIn(url, 'eu-west-1')))).toEqual([
        'ok',
        'ok',
        'LimitExceededException',
      ]);
      expect(
        await burstOf3(listStreams(inAccount(kinesisIn(url), OTHER_ACCOUNT))),
      ).toEqual(['ok', 'ok', 'LimitExceededException']);

      // IAM: one budget for the account, whatever region the client names.
      const iam = await outcomesOf([
        listRoles(iamIn(url, REGION))(),
        listRoles(iamIn(url, 'eu-west-1'))(),
        listRoles(iamIn(url, 'ap-southeast-2'))(),
      ]);
      expect(iam.sort()).toEqual(['Throttling', 'ok', 'ok']);
      expect(
        await listRoles(inAccount(iamIn(url, 'eu-west-1'), OTHER_ACCOUNT))(),
      ).toMatchObject({ Roles: expect.any(Array) });
      expect(proxy.limitsReport()).toEqual([
        { operation: 'kinesis:ListStreams', calls: 9, throttled: 3 },
        { operation: 'iam:ListRoles', calls: 4, throttled: 1 },
      ]);
    });

    describe("AWS's 5 ListTagsForStream a second, a burst of 20 calls", () => {
      const StreamName = unique('l');
      beforeAll(async () => {
        streams.push({ StreamName, region: REGION });
        await direct.send(
          new CreateStreamCommand({ StreamName, ShardCount: 1 }),
        );
      });
      const burst = async (maxAttempts?: number) => {
        proxy = await startAwsFaultProxy({
          target: MOTO,
          limits: AWS_RATE_LIMITS,
        });
        // The SDK's own retry strategy and delays, unlike kinesisAt's.
        const kinesis = new KinesisClient({
          endpoint: proxy.url,
          region: REGION,
          credentials,
          customUserAgent: CALLER,
          requestHandler: new NodeHttpHandler(),
          ...(maxAttempts ? { maxAttempts } : {}),
        });
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () =>
            kinesis.send(new ListTagsForStreamCommand({ StreamName })).then(
              answer => ({ name: 'ok', attempts: answer.$metadata.attempts }),
              error => ({
                name: error.name as string,
                attempts: error.$metadata?.attempts,
              }),
            ),
          ),
        );
        return { outcomes, calls: proxy.calls() };
      };

      // Throttling backoff is random (0-1 s, then 0-2 s): 3 attempts leave
      // some calls throttled out (13 to 17 of 20 passed in 5 runs here), so
      // only what holds in every run is asserted.
      it('with the SDK default of 3 attempts, the calls that fail fail throttled after 3', async () => {
        const { outcomes, calls } = await burst();
        const passed = outcomes.filter(o => o.name === 'ok').length;
        expect(passed).toBeGreaterThanOrEqual(5);
        for (const failed of outcomes.filter(o => o.name !== 'ok')) {
          expect(failed).toEqual({
            name: 'LimitExceededException',
            attempts: 3,
          });
        }
        expect(calls).toHaveLength(
          outcomes.reduce((sum, o) => sum + (o.attempts ?? 0), 0),
        );
        expect(calls.filter(c => c.throttled)).toHaveLength(
          calls.length - passed,
        );
        expect(calls.every(c => !c.fault || c.throttled)).toBe(true);
      });

      it('with 10 attempts, the retries carry every call through', async () => {
        const { outcomes, calls } = await burst(10);
        expect(outcomes.map(o => o.name)).toEqual(Array(20).fill('ok'));
        expect(calls.filter(c => !c.fault)).toHaveLength(20);
        expect(calls.filter(c => c.throttled).length).toBeGreaterThan(0);
        expect(proxy!.limitsReport()).toEqual([
          {
            operation: 'kinesis:ListTagsForStream',
            calls: calls.length,
            throttled: calls.length - 20,
          },
        ]);
      }, 60_000);
    });
  });

  describe('transitions', () => {
    const summaryOf = async (kinesis: KinesisClient, StreamName: string) =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName })))
        .StreamDescriptionSummary;
    const statusOf = async (kinesis: KinesisClient, StreamName: string) =>
      (await summaryOf(kinesis, StreamName))?.StreamStatus;
    const listedStatusOf = async (kinesis: KinesisClient, name: string) =>
      (await kinesis.send(new ListStreamsCommand({}))).StreamSummaries?.find(
        s => s.StreamName === name,
      )?.StreamStatus;

    it('keeps a new stream CREATING and refuses changes meanwhile, without moto seeing them', async () => {
      proxy = await startAwsFaultProxy({
        target: MOTO,
        transitions: { CREATING: 800, UPDATING: 500 },
      });
      const kinesis = kinesisAt(proxy.url);
      const StreamName = unique('t');
      streams.push({ StreamName, region: REGION });
      const sent = Date.now();
      await kinesis.send(
        new CreateStreamCommand({ StreamName, ShardCount: 1 }),
      );

      expect(await statusOf(kinesis, StreamName)).toBe('CREATING');
      expect(
        (await kinesis.send(new DescribeStreamCommand({ StreamName })))
          .StreamDescription?.StreamStatus,
      ).toBe('CREATING');
      expect(await listedStatusOf(kinesis, StreamName)).toBe('CREATING');
      // moto itself says ACTIVE: only the proxy's answers changed.
      expect(await statusOf(direct, StreamName)).toBe('ACTIVE');

      const monitoring = await failureOf(
        kinesis.send(
          new EnableEnhancedMonitoringCommand({
            StreamName,
            ShardLevelMetrics: ['IncomingRecords'],
          }),
        ),
      );
      expect(monitoring.name).toBe('ResourceInUseException');
      expect(monitoring.message).toBe(
        `Stream ${StreamName} under account 123456789012 not ACTIVE, instead in state CREATING`,
      );
      expect(monitoring.$metadata.httpStatusCode).toBe(400);
      const tagging = await failureOf(
        kinesis.send(
          new AddTagsToStreamCommand({ StreamName, Tags: { a: 'b' } }),
        ),
      );
      expect(tagging.name).toBe('ResourceInUseException');

      await eventually(async () =>
        expect(await statusOf(kinesis, StreamName)).toBe('ACTIVE'),
      );
      expect(Date.now() - sent).toBeGreaterThanOrEqual(800);
      expect(await listedStatusOf(kinesis, StreamName)).toBe('ACTIVE');
      // The refused calls never reached moto.
      const summary = await summaryOf(kinesis, StreamName);
      expect(summary?.EnhancedMonitoring?.[0]?.ShardLevelMetrics ?? []).toEqual(
        [],
      );
      expect(
        (await direct.send(new ListTagsForStreamCommand({ StreamName }))).Tags,
      ).toEqual([]);
      expect(
        proxy
          .calls()
          .filter(c => c.refused)
          .map(c => [c.operation, c.refused]),
      ).toEqual([
        ['kinesis:EnableEnhancedMonitoring', 'ResourceInUseException'],
        ['kinesis:AddTagsToStream', 'ResourceInUseException'],
      ]);
      // ACTIVE, the change goes through.
      await kinesis.send(
        new EnableEnhancedMonitoringCommand({
          StreamName,
          ShardLevelMetrics: ['IncomingRecords'],
        }),
      );
      expect(await statusOf(kinesis, StreamName)).toBe('UPDATING');
    });

    it('keeps a changed stream UPDATING for the time; other streams and regions are unaffected', async () => {
      proxy = await startAwsFaultProxy({
        target: MOTO,
        transitions: { CREATING: 300, UPDATING: 600 },
      });
      const kinesis = kinesisAt(proxy.url);
      const ireland = kinesisIn(proxy.url, 'eu-west-1');
      const changed = unique('t');
      const other = unique('t');
      streams.push(
        { StreamName: changed, region: REGION },
        { StreamName: other, region: REGION },
        { StreamName: changed, region: 'eu-west-1' },
      );
      for (const [client, StreamName] of [
        [kinesis, changed],
        [kinesis, other],
        [ireland, changed],
      ] as const) {
        await client.send(
          new CreateStreamCommand({ StreamName, ShardCount: 1 }),
        );
      }
      for (const [client, StreamName] of [
        [kinesis, changed],
        [kinesis, other],
        [ireland, changed],
      ] as const) {
        await eventually(async () =>
          expect(await statusOf(client, StreamName)).toBe('ACTIVE'),
        );
      }

      const sent = Date.now();
      await kinesis.send(
        new StartStreamEncryptionCommand({
          StreamName: changed,
          EncryptionType: 'KMS',
          KeyId: 'alias/aws/kinesis',
        }),
      );
      expect(await statusOf(kinesis, changed)).toBe('UPDATING');
      expect(await listedStatusOf(kinesis, changed)).toBe('UPDATING');
      expect(await statusOf(kinesis, other)).toBe('ACTIVE');
      expect(await listedStatusOf(kinesis, other)).toBe('ACTIVE');
      // The stream of the same name in another region is another stream.
      expect(await statusOf(ireland, changed)).toBe('ACTIVE');

      const retention = () =>
        kinesis.send(
          new IncreaseStreamRetentionPeriodCommand({
            StreamName: changed,
            RetentionPeriodHours: 48,
          }),
        );
      const refused = await failureOf(retention());
      expect(refused.name).toBe('ResourceInUseException');
      expect(refused.message).toContain(
        'not ACTIVE, instead in state UPDATING',
      );
      // Other streams take changes meanwhile.
      await kinesis.send(
        new AddTagsToStreamCommand({ StreamName: other, Tags: { a: 'b' } }),
      );

      await eventually(async () =>
        expect(await statusOf(kinesis, changed)).toBe('ACTIVE'),
      );
      expect(Date.now() - sent).toBeGreaterThanOrEqual(600);
      expect((await summaryOf(kinesis, changed))?.EncryptionType).toBe('KMS');
      await retention();
      expect(await statusOf(kinesis, changed)).toBe('UPDATING');
    });

    it('refuses a sixth stream CREATING at once, as AWS does', async () => {
      proxy = await startAwsFaultProxy({
        target: MOTO,
        transitions: { CREATING: 5_000 },
      });
      const kinesis = kinesisAt(proxy.url);
      const names = Array.from({ length: 6 }, () => unique('c'));
      streams.push(
        ...names.map(StreamName => ({ StreamName, region: REGION })),
      );
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
      // moto never made it.
      expect((await failureOf(statusOf(direct, names[5]))).name).toBe(
        'ResourceNotFoundException',
      );
      // Another region has its own five.
      const ireland = kinesisIn(proxy.url, 'eu-west-1');
      streams.push({ StreamName: names[5], region: 'eu-west-1' });
      await ireland.send(
        new CreateStreamCommand({ StreamName: names[5], ShardCount: 1 }),
      );
    });

    it('holdStreamStatus can hold one account and region only', async () => {
      proxy = await startAwsFaultProxy({ target: MOTO });
      const StreamName = unique('h');
      streams.push(
        { StreamName, region: REGION },
        { StreamName, region: 'eu-west-1' },
      );
      const ireland = kinesisIn(proxy.url, 'eu-west-1');
      await direct.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      await kinesisIn(MOTO, 'eu-west-1').send(
        new CreateStreamCommand({ StreamName, ShardCount: 1 }),
      );
      proxy.holdStreamStatus({
        status: 'UPDATING',
        forMs: 60_000,
        streamName: StreamName,
        region: 'eu-west-1',
        account: '123456789012',
      });
      expect(await statusOf(ireland, StreamName)).toBe('UPDATING');
      expect(await statusOf(kinesisAt(proxy.url), StreamName)).toBe('ACTIVE');
      // A hold only changes the answers: changes still go through.
      await ireland.send(
        new AddTagsToStreamCommand({ StreamName, Tags: { a: 'b' } }),
      );
    });
  });
});
