import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
} from '@aws-sdk/client-iam';

import { MOTO_ACCOUNT, sdk, uniqueName } from '../__testUtils__/moto';
import {
  byKey,
  createPolicy,
  documentOf,
  expectedTags,
  streamArnOf,
} from '../__testUtils__/iam';

const { iam } = sdk('us-east-1');

describe('meter-siem:policy:create against moto', () => {
  it('creates exactly the least-privilege policy of the guide, tagged', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name);
    expect(policyArn).toBe(
      `arn:aws:iam::${MOTO_ACCOUNT}:policy/meter-siem-${name}-kinesis-write`,
    );
    const { Policy } = await iam.send(
      new GetPolicyCommand({ PolicyArn: policyArn }),
    );
    const version = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: policyArn,
        VersionId: Policy!.DefaultVersionId,
      }),
    );
    expect(
      JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Resource: streamArnOf(name),
        },
      ],
    });
    expect(byKey(Policy!.Tags)).toEqual(byKey(expectedTags(name)));
  });

  it('reuses its own policy, and refuses one whose document was widened', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name);
    expect(await createPolicy(name)).toBe(policyArn);

    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        SetAsDefault: true,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
        }),
      }),
    );
    await expect(createPolicy(name)).rejects.toThrow(
      /no longer the least-privilege one .* left untouched/,
    );
  });

  it('never touches a policy of the same name that is not its own', async () => {
    const name = uniqueName();
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: `meter-siem-${name}-kinesis-write`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: '*' },
          ],
        }),
      }),
    );
    await expect(createPolicy(name)).rejects.toThrow(
      /already exists in account 123456789012 and was not created by Backstage/,
    );
  });
});

describe('meter-siem:policy:create with a customer-managed KMS key, against moto', () => {
  const keyArn = `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  it('adds kms:GenerateDataKey on exactly that key, and reuses the policy on a re-run', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name, { kmsKeyArn: keyArn });
    expect(await documentOf(policyArn)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Resource: streamArnOf(name),
        },
        { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: keyArn },
      ],
    });
    // The same builder decides whether a re-run's document is the same.
    expect(await createPolicy(name, { kmsKeyArn: keyArn })).toBe(policyArn);
    await expect(createPolicy(name)).rejects.toThrow(
      /no longer the least-privilege one \(kinesis:PutRecord and kinesis:PutRecords on \S+\)/,
    );
  });

  it('ignores an empty key, as the template passes it without one', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name, { kmsKeyArn: '' });
    expect((await documentOf(policyArn)).Statement).toHaveLength(1);
  });

  it.each([
    [
      'an alias',
      `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:alias/meter`,
      /not of an alias/,
    ],
    [
      "another region's key",
      keyArn.replace('us-east-1', 'eu-west-1'),
      /must be a key in the stream's account 123456789012 and region us-east-1/,
    ],
    ['no ARN', 'my-key', /kmsKeyArn must be a KMS key or alias ARN/],
  ])('refuses %s before any AWS call', async (_, kmsKeyArn, message) => {
    const name = uniqueName();
    const spy = jest.spyOn(IAMClient.prototype, 'send');
    try {
      await expect(createPolicy(name, { kmsKeyArn })).rejects.toThrow(message);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
