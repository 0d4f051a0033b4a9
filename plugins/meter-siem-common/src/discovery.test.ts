import {
  coversStream,
  mayWriteStreams,
  writableResourcePatterns,
  writableStreamArns,
} from './discovery';
import { PolicyDocument, buildPermissionsPolicy } from './policies';

const arn = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-events';

function policy(...statements: PolicyDocument['Statement']): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

describe('writableStreamArns', () => {
  it('reads the stream of the least-privilege policy', () => {
    expect(writableStreamArns(buildPermissionsPolicy(arn))).toEqual([arn]);
  });

  it('accepts action wildcards that cover the writes, in any case', () => {
    expect(
      writableStreamArns(
        policy(
          { Effect: 'Allow', Action: 'Kinesis:Put*', Resource: arn },
          { Effect: 'Allow', Action: 'kinesis:*', Resource: `${arn}-2` },
        ),
      ),
    ).toEqual([arn, `${arn}-2`]);
  });

  it('ignores denies, other actions and wildcard resources', () => {
    expect(
      writableStreamArns(
        policy(
          { Effect: 'Deny', Action: 'kinesis:PutRecord', Resource: arn },
          { Effect: 'Allow', Action: 'kinesis:GetRecords', Resource: arn },
          { Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'kinesis:PutRecord',
            Resource: 'arn:aws:kinesis:*:123456789012:stream/meter-*',
          },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: arn },
        ),
      ),
    ).toEqual([]);
  });

  it('reads a document without statements as granting nothing', () => {
    expect(writableStreamArns({} as PolicyDocument)).toEqual([]);
  });

  it('reads a single statement object, as IAM accepts', () => {
    const document = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: 'kinesis:PutRecords',
        Resource: [arn],
      },
    } as unknown as PolicyDocument;
    expect(writableStreamArns(document)).toEqual([arn]);
  });
});

describe('writableStreamArns with NotAction and NotResource', () => {
  it('reads a NotAction that spares the writes as granting them', () => {
    expect(
      writableStreamArns(
        policy(
          { Effect: 'Allow', NotAction: 'iam:*', Resource: arn } as any,
          {
            Effect: 'Allow',
            NotAction: ['kinesis:Put*'],
            Resource: `${arn}-2`,
          } as any,
        ),
      ),
    ).toEqual([arn]);
  });

  it('reads NotResource as reaching everything but what it lists', () => {
    const notResource = policy({
      Effect: 'Allow',
      Action: 'kinesis:PutRecords',
      NotResource: arn,
    } as any);
    expect(writableStreamArns(notResource)).toEqual([]);
    expect(writableResourcePatterns(notResource)).toEqual(['*']);
  });
});

describe('writableResourcePatterns', () => {
  it('keeps the wildcards writableStreamArns leaves out', () => {
    expect(
      writableResourcePatterns(
        policy(
          { Effect: 'Allow', Action: 'kinesis:*', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'kinesis:PutRecord',
            Resource: ['arn:aws:kinesis:*:*:stream/*', arn],
          },
          { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
        ),
      ),
    ).toEqual(['*', 'arn:aws:kinesis:*:*:stream/*', arn]);
  });
});

describe('mayWriteStreams', () => {
  it.each([
    ['*', true],
    ['arn:aws:*', true],
    ['arn:aws:kinesis:*:*:stream/*', true],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/x', true],
    ['arn:aws:kinesis:*:123456789012:stream/meter-*', true],
    ['arn:aws:kinesis:us-east-1:123456789012:*', true],
    ['arn:aws:s3:::bucket/*', false],
    ['arn:aws:kms:us-east-1:123456789012:key/*', false],
    ['arn:aws:kinesis:us-east-1:123456789012:???????', false],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/', false],
  ])('%s may reach a stream: %s', (pattern, expected) => {
    expect(mayWriteStreams([pattern])).toBe(expected);
  });
});

describe('coversStream', () => {
  it('matches as IAM does: globs, case-sensitive', () => {
    expect(coversStream(['arn:aws:kinesis:*:*:stream/meter-*'], arn)).toBe(
      true,
    );
    expect(coversStream(['arn:aws:kinesis:*:*:stream/Meter-*'], arn)).toBe(
      false,
    );
    expect(coversStream([], arn)).toBe(false);
  });
});
