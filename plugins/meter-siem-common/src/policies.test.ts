import { DEFAULT_METER_PRINCIPAL_ARN } from './constants';
import {
  buildPermissionsPolicy,
  buildTrustPolicy,
  parsePolicyDocument,
  PolicyDocument,
  readTrust,
  samePolicy,
} from './policies';

// The stream ARN and external ID used as examples in Meter's console guide.
const GUIDE_STREAM_ARN =
  'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events';
const GUIDE_EXTERNAL_ID =
  '9167190a4095f18bb33c84d75f9596366ee0cd392332e72f130f66da38c320d3';

// Copied from Meter's guide, "Create IAM policy for Kinesis write access".
const GUIDE_PERMISSIONS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      Resource:
        'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events',
    },
  ],
};

// Copied from Meter's guide, "Verify trust policy".
const GUIDE_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: {
        AWS: 'arn:aws:iam::458553032353:role/Meter-data-export',
      },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: {
          'sts:ExternalId':
            '9167190a4095f18bb33c84d75f9596366ee0cd392332e72f130f66da38c320d3',
        },
      },
    },
  ],
};

const guideTrust = () =>
  buildTrustPolicy({
    principalArn: DEFAULT_METER_PRINCIPAL_ARN,
    externalId: GUIDE_EXTERNAL_ID,
  });

describe('buildPermissionsPolicy', () => {
  it('serialises to exactly the policy of Meter’s guide', () => {
    const json = JSON.stringify(buildPermissionsPolicy(GUIDE_STREAM_ARN));
    expect(JSON.parse(json)).toEqual(GUIDE_PERMISSIONS_POLICY);
    // Same key order as the guide, so the console shows the same text.
    expect(json).toBe(JSON.stringify(GUIDE_PERMISSIONS_POLICY));
  });

  it('grants the two write actions on the given stream only', () => {
    const other = 'arn:aws-cn:kinesis:cn-north-1:210987654321:stream/other';
    expect(buildPermissionsPolicy(other).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: other,
      },
    ]);
  });
});

describe('buildTrustPolicy', () => {
  it('serialises to exactly the trust policy of Meter’s guide', () => {
    const json = JSON.stringify(guideTrust());
    expect(JSON.parse(json)).toEqual(GUIDE_TRUST_POLICY);
    expect(json).toBe(JSON.stringify(GUIDE_TRUST_POLICY));
  });

  it('serialises values safely, not by string concatenation', () => {
    const externalId = 'a"b\\c},{"Effect":"Allow';
    const principalArn = 'arn:aws:iam::111111111111:role/x"y';
    const trust = JSON.parse(
      JSON.stringify(buildTrustPolicy({ principalArn, externalId })),
    );
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Principal.AWS).toBe(principalArn);
    expect(trust.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(
      externalId,
    );
  });
});

describe('parsePolicyDocument', () => {
  const doc = buildPermissionsPolicy(GUIDE_STREAM_ARN);

  it.each([
    ['plain JSON', JSON.stringify(doc)],
    ['pretty-printed JSON', JSON.stringify(doc, null, 2)],
    ['JSON after whitespace', `\n  ${JSON.stringify(doc)}`],
    [
      'URL-encoded JSON, as IAM returns it',
      encodeURIComponent(JSON.stringify(doc)),
    ],
    [
      'URL-encoded pretty-printed JSON',
      encodeURIComponent(JSON.stringify(doc, null, 4)),
    ],
  ])('reads %s', (_, text) => {
    expect(parsePolicyDocument(text)).toEqual(GUIDE_PERMISSIONS_POLICY);
  });

  it('reads a URL-encoded trust policy', () => {
    expect(
      parsePolicyDocument(encodeURIComponent(JSON.stringify(guideTrust()))),
    ).toEqual(GUIDE_TRUST_POLICY);
  });

  it('fails on text that is no policy document', () => {
    expect(() => parsePolicyDocument('not json')).toThrow();
  });
});

describe('readTrust', () => {
  const trustWith = (statement: object): PolicyDocument =>
    ({ Version: '2012-10-17', Statement: [statement] } as PolicyDocument);
  const statement = (principal: unknown, extra: object = {}) => ({
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': GUIDE_EXTERNAL_ID } },
    ...extra,
  });

  it('finds the external id in the trust policy it built', () => {
    expect(readTrust(guideTrust(), DEFAULT_METER_PRINCIPAL_ARN)).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
    });
  });

  it('finds it in a URL-encoded trust policy read from IAM', () => {
    const fromIam = parsePolicyDocument(
      encodeURIComponent(JSON.stringify(guideTrust())),
    );
    expect(readTrust(fromIam, DEFAULT_METER_PRINCIPAL_ARN).externalId).toBe(
      GUIDE_EXTERNAL_ID,
    );
  });

  it.each([
    ['the role ARN', 'arn:aws:iam::458553032353:role/Meter-data-export'],
    ['the account id', '458553032353'],
    ['the account root ARN', 'arn:aws:iam::458553032353:root'],
    [
      'a list',
      [
        'arn:aws:iam::111111111111:role/someone-else',
        'arn:aws:iam::458553032353:role/Meter-data-export',
      ],
    ],
    ['a one-element list', ['458553032353']],
  ])('recognises Meter given as %s', (_, principal) => {
    expect(
      readTrust(trustWith(statement(principal)), DEFAULT_METER_PRINCIPAL_ARN),
    ).toEqual({ trustsMeter: true, externalId: GUIDE_EXTERNAL_ID });
  });

  it('recognises the account root in the principal’s own partition', () => {
    const principal = 'arn:aws-cn:iam::458553032353:role/Meter-data-export';
    expect(
      readTrust(
        trustWith(statement('arn:aws-cn:iam::458553032353:root')),
        principal,
      ).trustsMeter,
    ).toBe(true);
    expect(
      readTrust(
        trustWith(statement('arn:aws:iam::458553032353:root')),
        principal,
      ).trustsMeter,
    ).toBe(false);
  });

  it.each([
    ['another account', statement('arn:aws:iam::111111111111:root')],
    ['another role', statement('arn:aws:iam::458553032353:role/other')],
    ['a Deny', statement(DEFAULT_METER_PRINCIPAL_ARN, { Effect: 'Deny' })],
    [
      'another action',
      statement(DEFAULT_METER_PRINCIPAL_ARN, {
        Action: 'sts:AssumeRoleWithWebIdentity',
      }),
    ],
  ])('does not count %s as trusting Meter', (_, s) => {
    expect(readTrust(trustWith(s), DEFAULT_METER_PRINCIPAL_ARN)).toEqual({
      trustsMeter: false,
    });
  });

  it('accepts the action in a list', () => {
    expect(
      readTrust(
        trustWith(
          statement(DEFAULT_METER_PRINCIPAL_ARN, {
            Action: ['sts:TagSession', 'sts:AssumeRole'],
          }),
        ),
        DEFAULT_METER_PRINCIPAL_ARN,
      ),
    ).toEqual({ trustsMeter: true, externalId: GUIDE_EXTERNAL_ID });
  });

  it.each([
    ['no condition', { Condition: undefined }],
    [
      'a condition on something else',
      { Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ],
    [
      'two external ids',
      { Condition: { StringEquals: { 'sts:ExternalId': ['one', 'two'] } } },
    ],
  ])('trusts Meter without an external id given %s', (_, extra) => {
    expect(
      readTrust(
        trustWith(statement(DEFAULT_METER_PRINCIPAL_ARN, extra)),
        DEFAULT_METER_PRINCIPAL_ARN,
      ),
    ).toEqual({ trustsMeter: true });
  });

  it('reads an external id given as a one-element list', () => {
    expect(
      readTrust(
        trustWith(
          statement(DEFAULT_METER_PRINCIPAL_ARN, {
            Condition: { StringEquals: { 'sts:ExternalId': ['only'] } },
          }),
        ),
        DEFAULT_METER_PRINCIPAL_ARN,
      ),
    ).toEqual({ trustsMeter: true, externalId: 'only' });
  });

  it('looks through every statement that trusts Meter', () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [
        statement(DEFAULT_METER_PRINCIPAL_ARN, { Condition: undefined }),
        statement('arn:aws:iam::111111111111:root', {
          Condition: { StringEquals: { 'sts:ExternalId': 'not-meters' } },
        }),
        statement(DEFAULT_METER_PRINCIPAL_ARN),
      ],
    } as PolicyDocument;
    expect(readTrust(trust, DEFAULT_METER_PRINCIPAL_ARN)).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
    });
  });

  it('reads a Statement written as one object rather than a list', () => {
    const trust = {
      Version: '2012-10-17',
      Statement: statement(DEFAULT_METER_PRINCIPAL_ARN),
    } as unknown as PolicyDocument;
    expect(readTrust(trust, DEFAULT_METER_PRINCIPAL_ARN)).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
    });
  });
});

describe('samePolicy', () => {
  const policy = buildPermissionsPolicy(GUIDE_STREAM_ARN);

  it('ignores key order', () => {
    const reordered = {
      Statement: [
        {
          Resource: GUIDE_STREAM_ARN,
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Effect: 'Allow',
        },
      ],
      Version: '2012-10-17',
    } as PolicyDocument;
    expect(samePolicy(policy, reordered)).toBe(true);
  });

  it('ignores the order of list items', () => {
    const swapped = buildPermissionsPolicy(GUIDE_STREAM_ARN);
    swapped.Statement[0].Action = ['kinesis:PutRecords', 'kinesis:PutRecord'];
    expect(samePolicy(policy, swapped)).toBe(true);
  });

  it('treats a single value and a one-element list alike', () => {
    const listed = buildPermissionsPolicy(GUIDE_STREAM_ARN);
    listed.Statement[0].Resource = [GUIDE_STREAM_ARN];
    expect(samePolicy(policy, listed)).toBe(true);

    const trust = guideTrust();
    const trustListed: PolicyDocument = JSON.parse(JSON.stringify(trust));
    trustListed.Statement[0].Principal = { AWS: [DEFAULT_METER_PRINCIPAL_ARN] };
    trustListed.Statement[0].Action = ['sts:AssumeRole'];
    expect(samePolicy(trust, trustListed)).toBe(true);
  });

  it('matches a document read back from IAM', () => {
    expect(
      samePolicy(
        policy,
        parsePolicyDocument(encodeURIComponent(JSON.stringify(policy))),
      ),
    ).toBe(true);
  });

  it.each<[string, (doc: PolicyDocument) => void]>([
    [
      'an extra action',
      d => {
        d.Statement[0].Action = [
          'kinesis:PutRecord',
          'kinesis:PutRecords',
          'kinesis:GetRecords',
        ];
      },
    ],
    [
      'a missing action',
      d => {
        d.Statement[0].Action = ['kinesis:PutRecord'];
      },
    ],
    [
      'another action',
      d => {
        d.Statement[0].Action = ['kinesis:PutRecord', 'kinesis:*'];
      },
    ],
    [
      'another resource',
      d => {
        d.Statement[0].Resource =
          'arn:aws:kinesis:us-east-1:123456789012:stream/other';
      },
    ],
    [
      'a wildcard resource',
      d => {
        d.Statement[0].Resource = '*';
      },
    ],
    [
      'a second resource',
      d => {
        d.Statement[0].Resource = [GUIDE_STREAM_ARN, '*'];
      },
    ],
    [
      'Deny instead of Allow',
      d => {
        d.Statement[0].Effect = 'Deny';
      },
    ],
    [
      'an extra statement',
      d => {
        d.Statement.push({
          Effect: 'Allow',
          Action: 'kinesis:*',
          Resource: '*',
        });
      },
    ],
  ])('catches %s', (_, change) => {
    const changed: PolicyDocument = JSON.parse(JSON.stringify(policy));
    change(changed);
    expect(samePolicy(policy, changed)).toBe(false);
  });

  it('catches a different external id or principal in a trust policy', () => {
    const trust = guideTrust();
    expect(
      samePolicy(
        trust,
        buildTrustPolicy({
          principalArn: DEFAULT_METER_PRINCIPAL_ARN,
          externalId: `${GUIDE_EXTERNAL_ID.slice(0, -1)}4`,
        }),
      ),
    ).toBe(false);
    expect(
      samePolicy(
        trust,
        buildTrustPolicy({
          principalArn: 'arn:aws:iam::111111111111:role/Meter-data-export',
          externalId: GUIDE_EXTERNAL_ID,
        }),
      ),
    ).toBe(false);
  });
});
