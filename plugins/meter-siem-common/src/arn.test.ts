import {
  consoleUrl,
  consoleUrls,
  formatArn,
  iamArn,
  parseArn,
  partitionOf,
  resourceArnKind,
  resourceName,
  streamArn,
  tryParseArn,
} from './arn';

describe('parseArn and formatArn', () => {
  it('parses the stream ARN of Meter’s guide', () => {
    expect(
      parseArn(
        'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events',
      ),
    ).toEqual({
      partition: 'aws',
      service: 'kinesis',
      region: 'us-east-1',
      accountId: '123456789012',
      resource: 'stream/meter-siem-events',
    });
  });

  it('keeps colons inside the resource', () => {
    expect(
      parseArn('arn:aws:logs:eu-west-1:123456789012:log-group:/meter/siem:*'),
    ).toMatchObject({
      region: 'eu-west-1',
      resource: 'log-group:/meter/siem:*',
    });
  });

  it.each([
    'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events',
    'arn:aws:iam::123456789012:role/MeterSIEMIntegrationRole',
    'arn:aws:iam::123456789012:role/service-role/meter/meter-siem-corp',
    'arn:aws:iam::458553032353:root',
    'arn:aws:s3:::meter-siem-bucket',
    'arn:aws:logs:eu-west-1:123456789012:log-group:/meter/siem:*',
    'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/meter-siem-events',
    'arn:aws-us-gov:iam::123456789012:policy/meter-siem-kinesis-write',
  ])('formats %p back to the same text', arn => {
    expect(formatArn(parseArn(arn))).toBe(arn);
  });

  it.each([
    '',
    'not-an-arn',
    'arn:aws:kinesis',
    'arn:aws:kinesis:us-east-1:123456789012',
    'arn:aws:kinesis:us-east-1:123456789012:',
    'urn:aws:kinesis:us-east-1:123456789012:stream/x',
    'arn::kinesis:us-east-1:123456789012:stream/x',
    'arn:aws::us-east-1:123456789012:stream/x',
  ])('rejects %p', arn => {
    expect(() => parseArn(arn)).toThrow(`"${arn}" is not an ARN`);
  });
});

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-2', 'aws'],
    ['ap-southeast-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('puts %p in %p', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('streamArn', () => {
  it.each([
    [
      'us-east-1',
      'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events',
    ],
    [
      'cn-north-1',
      'arn:aws-cn:kinesis:cn-north-1:123456789012:stream/meter-siem-events',
    ],
    [
      'us-gov-west-1',
      'arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/meter-siem-events',
    ],
  ])('in %p is %p', (region, arn) => {
    expect(streamArn(region, '123456789012', 'meter-siem-events')).toBe(arn);
  });
});

describe('iamArn', () => {
  it('makes the role ARN of Meter’s guide, with an empty region', () => {
    const arn = iamArn(
      'eu-west-1',
      '123456789012',
      'role',
      'MeterSIEMIntegrationRole',
    );
    expect(arn).toBe('arn:aws:iam::123456789012:role/MeterSIEMIntegrationRole');
    expect(parseArn(arn).region).toBe('');
  });

  it('makes a policy ARN', () => {
    expect(
      iamArn(
        'us-east-1',
        '123456789012',
        'policy',
        'meter-siem-x-kinesis-write',
      ),
    ).toBe('arn:aws:iam::123456789012:policy/meter-siem-x-kinesis-write');
  });

  it.each([
    ['cn-north-1', 'arn:aws-cn:iam::123456789012:role/meter-siem-x'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::123456789012:role/meter-siem-x'],
  ])('follows the partition of %p', (region, arn) => {
    expect(iamArn(region, '123456789012', 'role', 'meter-siem-x')).toBe(arn);
  });
});

describe('resourceName', () => {
  it.each([
    [
      'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events',
      'meter-siem-events',
    ],
    [
      'arn:aws:iam::123456789012:role/MeterSIEMIntegrationRole',
      'MeterSIEMIntegrationRole',
    ],
    [
      'arn:aws:iam::123456789012:role/service-role/meter/meter-siem-corp',
      'meter-siem-corp',
    ],
    ['arn:aws:iam::458553032353:root', 'root'],
    ['arn:aws:s3:::meter-siem-bucket', 'meter-siem-bucket'],
  ])('of %p is %p', (arn, name) => {
    expect(resourceName(arn)).toBe(name);
  });

  it('rejects what is not an ARN', () => {
    expect(() => resourceName('meter-siem-events')).toThrow('is not an ARN');
  });
});

describe('consoleUrls', () => {
  it('links the stream and the role in the commercial console', () => {
    expect(
      consoleUrls({
        region: 'eu-west-2',
        streamName: 'meter-siem-corp',
        roleName: 'meter-siem-corp',
      }),
    ).toEqual({
      stream:
        'https://eu-west-2.console.aws.amazon.com/kinesis/home?region=eu-west-2#/streams/details/meter-siem-corp/details',
      role: 'https://console.aws.amazon.com/iam/home#/roles/details/meter-siem-corp',
    });
  });

  it.each([
    ['cn-north-1', 'console.amazonaws.cn'],
    ['us-gov-west-1', 'console.amazonaws-us-gov.com'],
  ])('uses the console of the partition of %p', (region, host) => {
    expect(consoleUrls({ region, streamName: 's', roleName: 'r' })).toEqual({
      stream: `https://${region}.${host}/kinesis/home?region=${region}#/streams/details/s/details`,
      role: `https://${host}/iam/home#/roles/details/r`,
    });
  });

  it('encodes names with characters that mean something in a URL', () => {
    const urls = consoleUrls({
      region: 'us-east-1',
      streamName: 'a.b_c-d',
      roleName: 'meter+siem=a,b@c',
    });
    expect(urls.stream).toContain('#/streams/details/a.b_c-d/details');
    expect(urls.role).toMatch(/#\/roles\/details\/meter%2Bsiem%3Da%2Cb%40c$/);
  });
});

describe('tryParseArn', () => {
  it('parses what parseArn parses', () => {
    const arn = 'arn:aws:iam::123456789012:role/meter-siem-x';
    expect(tryParseArn(arn)).toEqual(parseArn(arn));
  });

  it.each(['*', '123456789012', 'arn::kinesis:::stream/x', ''])(
    'gives undefined for %p',
    value => {
      expect(tryParseArn(value)).toBeUndefined();
    },
  );
});

describe('resourceArnKind', () => {
  it.each([
    ['arn:aws:kinesis:eu-west-1:123456789012:stream/s', 'stream'],
    ['arn:aws:iam::123456789012:role/path/r', 'role'],
    ['arn:aws:iam::123456789012:policy/p', 'policy'],
    ['arn:aws:iam::123456789012:role/', undefined],
    ['arn:aws:kinesis:eu-west-1:123456789012:role/r', undefined],
    ['arn:aws:iam::123456789012:user/u', undefined],
  ])('of %p is %p', (arn, kind) => {
    expect(resourceArnKind(parseArn(arn))).toBe(kind);
  });
});

describe('consoleUrl', () => {
  const account = '123456789012';

  it.each([
    ['aws', 'us-east-1', 'console.aws.amazon.com'],
    ['aws-cn', 'cn-north-1', 'console.amazonaws.cn'],
    ['aws-us-gov', 'us-gov-west-1', 'console.amazonaws-us-gov.com'],
    // Partitions without a console of their own get the commercial one.
    ['aws-iso', 'us-iso-east-1', 'console.aws.amazon.com'],
  ])(
    'links the stream, role and policy of %p to %p',
    (partition, region, host) => {
      const policy = `arn:${partition}:iam::${account}:policy/meter-siem-x-kinesis-write`;
      expect([
        consoleUrl(
          `arn:${partition}:kinesis:${region}:${account}:stream/meter-siem-x`,
        ),
        consoleUrl(`arn:${partition}:iam::${account}:role/meter-siem-x`),
        consoleUrl(policy),
      ]).toEqual([
        `https://${region}.${host}/kinesis/home?region=${region}#/streams/details/meter-siem-x/details`,
        `https://${host}/iam/home#/roles/details/meter-siem-x`,
        `https://${host}/iam/home#/policies/details/${encodeURIComponent(
          policy,
        )}`,
      ]);
    },
  );

  it('links a role by its name, whatever its path', () => {
    expect(
      consoleUrl(`arn:aws:iam::${account}:role/service-role/meter+siem`),
    ).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/meter%2Bsiem',
    );
  });

  it('gives the same addresses as consoleUrls for the same resources', () => {
    const region = 'us-gov-east-1';
    expect(consoleUrls({ region, streamName: 's', roleName: 'r' })).toEqual({
      stream: consoleUrl(streamArn(region, account, 's')),
      role: consoleUrl(iamArn(region, account, 'role', 'r')),
    });
  });

  it.each([
    'arn:aws:iam::123456789012:user/jane',
    'arn:aws:s3:::meter-siem-bucket',
    'meter-siem-x',
  ])('refuses %p', arn => {
    expect(() => consoleUrl(arn)).toThrow();
  });
});
