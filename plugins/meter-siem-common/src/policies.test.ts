import { DEFAULT_METER_PRINCIPAL_ARN } from './constants';
import {
  analyseTrust,
  buildPermissionsPolicy,
  buildTrustPolicy,
  matchesAction,
  matchesResource,
  parsePolicyDocument,
  patternsOverlap,
  PolicyDocument,
  readTrust,
  samePolicy,
  statementCoversAction,
  trustRequiresExternalId,
  validatePolicyKmsKey,
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

describe('buildPermissionsPolicy with a customer-managed key', () => {
  const key =
    'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('adds exactly one statement: kms:GenerateDataKey on that key', () => {
    expect(
      buildPermissionsPolicy(GUIDE_STREAM_ARN, { kmsKeyArn: key }),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Resource: GUIDE_STREAM_ARN,
        },
        { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key },
      ],
    });
  });

  it('is the guide policy without a key', () => {
    expect(
      buildPermissionsPolicy(GUIDE_STREAM_ARN, { kmsKeyArn: undefined }),
    ).toEqual(GUIDE_PERMISSIONS_POLICY);
    expect(
      samePolicy(
        buildPermissionsPolicy(GUIDE_STREAM_ARN, { kmsKeyArn: key }),
        buildPermissionsPolicy(GUIDE_STREAM_ARN),
      ),
    ).toBe(false);
  });
});

describe('validatePolicyKmsKey', () => {
  const key = (
    where: string,
    resource = 'key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ) => `arn:aws:kms:${where}:${resource}`;

  it('accepts a key ARN in the stream’s account and region', () => {
    expect(
      validatePolicyKmsKey(key('us-east-1:123456789012'), GUIDE_STREAM_ARN),
    ).toEqual([]);
  });

  it.each([
    ['not an ARN', 'my-key', /must be a KMS key or alias ARN/],
    [
      'an alias',
      key('us-east-1:123456789012', 'alias/meter'),
      /not of an alias/,
    ],
    [
      'another region',
      key('eu-west-1:123456789012'),
      /account 123456789012 and region us-east-1 \(this key is in account 123456789012, region eu-west-1\)/,
    ],
    [
      'another account',
      key('us-east-1:210987654321'),
      /this key is in account 210987654321/,
    ],
  ])('refuses %s', (_, value, message) => {
    const [issue] = validatePolicyKmsKey(value, GUIDE_STREAM_ARN);
    expect(issue.field).toBe('kmsKeyArn');
    expect(issue.message).toMatch(message);
  });
});

describe('matchesAction: IAM action patterns', () => {
  it.each([
    ['sts:AssumeRole', true],
    ['sts:*', true],
    ['*', true],
    ['sts:Assume*', true],
    ['sts:AssumeRol?', true],
    ['STS:assumerole', true],
    ['sts:*Role', true],
    ['sts:AssumeRoleWithSAML', false],
    ['sts:AssumeRoleWith*', false],
    ['sts:AssumeRole?', false],
    ['sts:Assume', false],
    ['iam:*', false],
    ['sts:AssumeRol', false],
    ['s?s:AssumeRole', true],
  ])('%s covers sts:AssumeRole: %s', (pattern, expected) => {
    expect(matchesAction(pattern, 'sts:AssumeRole')).toBe(expected);
  });

  it('matches the literal action exactly, not as a prefix or regular expression', () => {
    expect(matchesAction('sts:AssumeRole', 'sts:AssumeRoleWithSAML')).toBe(
      false,
    );
    expect(matchesAction('kinesis:Put.*', 'kinesis:PutRecord')).toBe(false);
    expect(matchesAction('kinesis:PutRecord', 'kinesis:PutRecords')).toBe(
      false,
    );
  });
});

describe('matchesResource: IAM resource patterns', () => {
  const stream = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-x';
  it.each([
    [stream, true],
    ['*', true],
    ['arn:aws:kinesis:*:*:stream/*', true],
    ['arn:aws:kinesis:us-east-?:123456789012:stream/meter-siem-?', true],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/meter-*', true],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/Meter-siem-x', false],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-', false],
    ['arn:aws:kinesis:eu-*:*:stream/*', false],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-x?', false],
  ])('%s covers the stream: %s', (pattern, expected) => {
    expect(matchesResource(pattern, stream)).toBe(expected);
  });
});

describe('patternsOverlap', () => {
  it.each([
    ['*', 'abc', true],
    ['a*', '*c', true],
    ['a?c', 'ab?', true],
    ['a*c', 'a*d', false],
    ['ab', 'a', false],
    ['a:b', 'a*', true],
  ])('%s and %s share a string: %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
    expect(patternsOverlap(b, a)).toBe(expected);
  });

  it('keeps the second pattern’s stars within a segment when asked', () => {
    expect(patternsOverlap('a:b', 'a*', { segmentStars: true })).toBe(false);
    expect(patternsOverlap('a:*', 'a*:b', { segmentStars: true })).toBe(true);
  });
});

describe('statementCoversAction', () => {
  it('reads NotAction as every action but those listed', () => {
    const except = (NotAction: string | string[]) =>
      statementCoversAction(
        { Effect: 'Allow', NotAction } as any,
        'sts:AssumeRole',
      );
    expect(except('iam:*')).toBe(true);
    expect(except(['sts:AssumeRoleWith*', 'sts:TagSession'])).toBe(true);
    expect(except('sts:*')).toBe(false);
    expect(except('STS:ASSUMEROLE')).toBe(false);
  });
});

describe('analyseTrust', () => {
  const meter = DEFAULT_METER_PRINCIPAL_ARN;
  const trust = (...Statement: object[]) =>
    ({ Version: '2012-10-17', Statement } as PolicyDocument);
  const withId = {
    Condition: { StringEquals: { 'sts:ExternalId': GUIDE_EXTERNAL_ID } },
  };
  const allow = (Principal: unknown, Action: unknown, extra = {}) => ({
    Effect: 'Allow',
    Principal,
    Action,
    ...withId,
    ...extra,
  });

  it.each([
    ['sts:*', { Action: 'sts:*' }],
    ['*', { Action: '*' }],
    ['sts:Assume*', { Action: 'sts:Assume*' }],
    ['sts:AssumeRol?', { Action: 'sts:AssumeRol?' }],
    ['another case', { Action: 'STS:assumeRole' }],
    ['NotAction not naming it', { Action: undefined, NotAction: 'iam:*' }],
  ])('finds Meter trusted through %s', (_, extra) => {
    const analysis = analyseTrust(
      trust(allow({ AWS: meter }, undefined, extra)),
      meter,
    );
    expect(analysis).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
      externalIds: [GUIDE_EXTERNAL_ID],
      requiresExternalId: true,
      anyPrincipal: false,
      otherPrincipals: [],
    });
  });

  it.each([
    ['sts:AssumeRoleWithSAML', { Action: 'sts:AssumeRoleWithSAML' }],
    ['sts:AssumeRole?', { Action: 'sts:AssumeRole?' }],
    ['NotAction naming it', { Action: undefined, NotAction: 'sts:Assume*' }],
    ['a Deny', { Action: 'sts:AssumeRole', Effect: 'Deny' }],
  ])('does not find Meter trusted through %s', (_, extra) => {
    expect(
      analyseTrust(trust(allow({ AWS: meter }, undefined, extra)), meter)
        .trustsMeter,
    ).toBe(false);
  });

  it.each([
    ['"Principal": "*"', '*'],
    ['{"AWS": "*"}', { AWS: '*' }],
    ['{"AWS": ["*"]}', { AWS: ['*'] }],
  ])('reads %s as anyone, Meter included', (_, principal) => {
    const analysis = analyseTrust(
      trust(allow(principal, 'sts:AssumeRole')),
      meter,
    );
    expect(analysis).toMatchObject({
      trustsMeter: true,
      anyPrincipal: true,
      otherPrincipals: [],
      externalId: GUIDE_EXTERNAL_ID,
    });
  });

  it('reads a NotPrincipal that spares Meter as anyone', () => {
    const statement = {
      Effect: 'Allow',
      NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'sts:AssumeRole',
    };
    expect(analyseTrust(trust(statement), meter)).toMatchObject({
      trustsMeter: true,
      anyPrincipal: true,
    });
    expect(
      analyseTrust(
        trust({ ...statement, NotPrincipal: { AWS: meter } }),
        meter,
      ),
    ).toMatchObject({ trustsMeter: false, anyPrincipal: true });
  });

  it('lists the principals besides Meter, in its statement and in others', () => {
    const analysis = analyseTrust(
      trust(
        allow(
          { AWS: [meter, 'arn:aws:iam::111111111111:root'] },
          'sts:AssumeRole',
        ),
        allow({ Service: 'ec2.amazonaws.com' }, 'sts:AssumeRole', {
          Condition: undefined,
        }),
        allow(
          { Federated: 'cognito-identity.amazonaws.com' },
          'sts:AssumeRoleWithWebIdentity',
        ),
        // Not an assume action: lets nobody in.
        allow({ AWS: 'arn:aws:iam::222222222222:root' }, 'sts:TagSession'),
        // Meter again, by account: not another principal.
        allow({ AWS: '458553032353' }, 'sts:AssumeRole'),
      ),
      meter,
    );
    expect(analysis.otherPrincipals).toEqual([
      'arn:aws:iam::111111111111:root',
      'cognito-identity.amazonaws.com',
      'ec2.amazonaws.com',
    ]);
    expect(analysis.requiresExternalId).toBe(true);
    expect(analysis.anyPrincipal).toBe(false);
  });

  it.each([
    [
      'StringEqualsIfExists',
      { StringEqualsIfExists: { 'sts:ExternalId': 'x' } },
    ],
    ['Null', { Null: { 'sts:ExternalId': 'false' } }],
    ['StringNotEquals', { StringNotEquals: { 'sts:ExternalId': 'x' } }],
    ['StringLike "*"', { StringLike: { 'sts:ExternalId': '*' } }],
    [
      'ForAllValues:StringEquals',
      { 'ForAllValues:StringEquals': { 'sts:ExternalId': 'x' } },
    ],
    ['an empty list', { StringEquals: { 'sts:ExternalId': [] } }],
  ])('does not count %s as requiring an external ID', (_, Condition) => {
    expect(
      trustRequiresExternalId(
        trust(allow({ AWS: meter }, 'sts:*', { Condition })),
        meter,
      ),
    ).toBe(false);
  });

  it.each([
    ['StringEquals', { StringEquals: { 'sts:ExternalId': 'x' } }],
    ['any key case', { StringEquals: { 'STS:EXTERNALID': 'x' } }],
    ['StringLike with a value', { StringLike: { 'sts:ExternalId': 'ab*' } }],
    [
      'StringEqualsIgnoreCase',
      { StringEqualsIgnoreCase: { 'sts:ExternalId': 'x' } },
    ],
  ])('counts %s as requiring an external ID', (_, Condition) => {
    expect(
      trustRequiresExternalId(
        trust(allow({ AWS: meter }, 'sts:*', { Condition })),
        meter,
      ),
    ).toBe(true);
  });

  it('needs the condition on the "*" statement as much as on Meter\'s', () => {
    expect(
      analyseTrust(
        trust(
          allow({ AWS: meter }, 'sts:AssumeRole'),
          allow('*', 'sts:AssumeRole', { Condition: undefined }),
        ),
        meter,
      ).requiresExternalId,
    ).toBe(false);
  });

  it('keeps readTrust to the trust and the external ID', () => {
    expect(
      readTrust(trust(allow({ AWS: meter }, 'sts:Assume*')), meter),
    ).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
      externalIds: [GUIDE_EXTERNAL_ID],
    });
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
      externalIds: [GUIDE_EXTERNAL_ID],
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
    ).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
      externalIds: [GUIDE_EXTERNAL_ID],
    });
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
      externalIds: [],
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
    ).toEqual({
      trustsMeter: true,
      externalId: GUIDE_EXTERNAL_ID,
      externalIds: [GUIDE_EXTERNAL_ID],
    });
  });

  it.each([
    ['no condition', { Condition: undefined }],
    [
      'a condition on something else',
      { Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ],
  ])('trusts Meter without an external id given %s', (_, extra) => {
    expect(
      readTrust(
        trustWith(statement(DEFAULT_METER_PRINCIPAL_ARN, extra)),
        DEFAULT_METER_PRINCIPAL_ARN,
      ),
    ).toEqual({ trustsMeter: true, externalIds: [] });
  });

  it('reads the two external ids of a rotation, the new one last', () => {
    const rotating = buildTrustPolicy({
      principalArn: DEFAULT_METER_PRINCIPAL_ARN,
      externalId: ['old', 'new'],
    });
    expect(
      rotating.Statement[0].Condition?.StringEquals?.['sts:ExternalId'],
    ).toEqual(['old', 'new']);
    expect(readTrust(rotating, DEFAULT_METER_PRINCIPAL_ARN)).toEqual({
      trustsMeter: true,
      externalId: 'new',
      externalIds: ['old', 'new'],
    });
    expect(
      analyseTrust(rotating, DEFAULT_METER_PRINCIPAL_ARN).requiresExternalId,
    ).toBe(true);
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
    ).toEqual({
      trustsMeter: true,
      externalId: 'only',
      externalIds: ['only'],
    });
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
      externalIds: [GUIDE_EXTERNAL_ID],
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
      externalIds: [GUIDE_EXTERNAL_ID],
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
