import { writableStreamArns } from './discovery';
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
