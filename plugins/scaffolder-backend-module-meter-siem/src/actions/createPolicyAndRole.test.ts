import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { createPolicyAction } from './createPolicy';
import { createRoleAction } from './createRole';
import {
  MOTO_ACCOUNT,
  actionContext,
  actionOptions,
  baseTarget,
  sdk,
  uniqueName,
} from '../__testUtils__/moto';

const options = actionOptions();
const policyAction = createPolicyAction(options);
const roleAction = createRoleAction(options);
const { iam } = sdk('us-east-1');

const streamArnOf = (name: string) =>
  `arn:aws:kinesis:us-east-1:${MOTO_ACCOUNT}:stream/meter-siem-${name}`;

const byKey = (tags: { Key?: string }[] = []) =>
  [...tags].sort((a, b) => a.Key!.localeCompare(b.Key!));

const expectedTags = (name: string) => [
  { Key: 'owner', Value: 'group:default/security' },
  { Key: 'environment', Value: 'production' },
  { Key: 'managed-by', Value: 'backstage' },
  { Key: 'meter-siem-integration', Value: name },
];

async function createPolicy(name: string, extra: { kmsKeyArn?: string } = {}) {
  const { ctx, outputs } = actionContext({
    ...baseTarget,
    name,
    streamArn: streamArnOf(name),
    ...extra,
  });
  await policyAction.handler(ctx);
  return outputs.policyArn as string;
}

async function documentOf(policyArn: string) {
  const { Policy } = await iam.send(
    new GetPolicyCommand({ PolicyArn: policyArn }),
  );
  const version = await iam.send(
    new GetPolicyVersionCommand({
      PolicyArn: policyArn,
      VersionId: Policy!.DefaultVersionId,
    }),
  );
  return JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!));
}

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

describe('meter-siem:role:create against moto', () => {
  async function trustedExternalId(name: string): Promise<string> {
    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: `meter-siem-${name}` }),
    );
    return JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))
      .Statement[0].Condition.StringEquals['sts:ExternalId'];
  }

  async function createRole(name: string, policyArn: string, extra = {}) {
    const { ctx, outputs, logs } = actionContext({
      ...baseTarget,
      name,
      policyArn,
      ...extra,
    });
    await roleAction.handler(ctx);
    return { outputs, logs };
  }

  it('creates the role trusted only by Meter with the external ID, attached and tagged', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name);
    const { outputs, logs } = await createRole(name, policyArn);

    expect(outputs.roleArn).toBe(
      `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-${name}`,
    );
    // The external ID is the role's alone: never an output.
    expect(Object.keys(outputs)).toEqual(['roleArn']);
    const externalId = await trustedExternalId(name);
    expect(externalId).toMatch(/^[0-9a-f]{64}$/);
    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: `meter-siem-${name}` }),
    );
    expect(
      JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            AWS: 'arn:aws:iam::458553032353:role/Meter-data-export',
          },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    });
    const attached = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: `meter-siem-${name}` }),
    );
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: `meter-siem-${name}-kinesis-write`, PolicyArn: policyArn },
    ]);
    const tags = await iam.send(
      new ListRoleTagsCommand({ RoleName: `meter-siem-${name}` }),
    );
    expect(byKey(tags.Tags)).toEqual(byKey(expectedTags(name)));
    expect(logs.join('\n')).not.toContain(externalId);
  });

  it('reuses the role and keeps its external ID on a second run', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name);
    const first = await createRole(name, policyArn);
    const externalId = await trustedExternalId(name);
    const second = await createRole(name, policyArn);
    expect(second.outputs).toEqual(first.outputs);
    expect(await trustedExternalId(name)).toBe(externalId);
    expect(second.logs.join('\n')).not.toContain(externalId);
  });

  it('never touches a role of the same name that is not its own', async () => {
    const name = uniqueName();
    const policyArn = await createPolicy(name);
    await iam.send(
      new CreateRoleCommand({
        RoleName: `meter-siem-${name}`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await expect(createRole(name, policyArn)).rejects.toThrow(
      /already exists in account 123456789012 and was not created by Backstage/,
    );
    const attached = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: `meter-siem-${name}` }),
    );
    expect(attached.AttachedPolicies).toEqual([]);
  });

  it('creates nothing in a dry run', async () => {
    const name = uniqueName();
    const { ctx, outputs } = actionContext(
      {
        ...baseTarget,
        name,
        policyArn: `arn:aws:iam::${MOTO_ACCOUNT}:policy/meter-siem-${name}-kinesis-write`,
      },
      { isDryRun: true },
    );
    await roleAction.handler(ctx);
    expect(outputs).toEqual({
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-${name}`,
    });
    await expect(
      iam.send(new GetRoleCommand({ RoleName: `meter-siem-${name}` })),
    ).rejects.toThrow(/cannot be found|not found/i);
  });
});

describe('meter-siem:role:create failure paths moto cannot produce', () => {
  let iamMock: ReturnType<typeof mockClient>;
  beforeAll(() => {
    iamMock = mockClient(IAMClient);
  });
  afterEach(() => iamMock.reset());
  afterAll(() => iamMock.restore());

  it('keeps the external ID out of an AWS error message that echoes the trust policy', async () => {
    let externalId = '';
    iamMock
      .on(GetRoleCommand)
      .rejects(Object.assign(new Error('no role'), { name: 'NoSuchEntity' }))
      .on(CreateRoleCommand)
      .callsFake(input => {
        externalId = JSON.parse(input.AssumeRolePolicyDocument).Statement[0]
          .Condition.StringEquals['sts:ExternalId'];
        throw Object.assign(
          new Error(
            `Invalid principal in policy: ... "sts:ExternalId":"${externalId}"`,
          ),
          { name: 'MalformedPolicyDocument' },
        );
      });
    const { ctx } = actionContext({
      ...baseTarget,
      accountId: MOTO_ACCOUNT,
      name: 'leaky',
      policyArn: `arn:aws:iam::${MOTO_ACCOUNT}:policy/meter-siem-leaky-kinesis-write`,
    });
    const error = (await roleAction.handler(ctx).catch(e => e)) as Error;
    expect(error.message).toMatch(
      /IAM rejected the policy document for role meter-siem-leaky/,
    );
    expect(externalId).toMatch(/^[0-9a-f]{64}$/);
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(externalId);
  });

  it('names the missing permission when IAM denies the attachment', async () => {
    iamMock
      .on(GetRoleCommand)
      .resolves({
        Role: {
          RoleName: 'meter-siem-denied',
          Arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-denied`,
          Path: '/',
          RoleId: 'AROA',
          CreateDate: new Date(),
          AssumeRolePolicyDocument: encodeURIComponent(
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: {
                    AWS: 'arn:aws:iam::458553032353:role/Meter-data-export',
                  },
                  Action: 'sts:AssumeRole',
                  Condition: {
                    StringEquals: { 'sts:ExternalId': 'e'.repeat(64) },
                  },
                },
              ],
            }),
          ),
          Tags: [
            { Key: 'managed-by', Value: 'backstage' },
            { Key: 'meter-siem-integration', Value: 'denied' },
            { Key: 'owner', Value: 'group:default/security' },
          ],
        },
      })
      .on(ListAttachedRolePoliciesCommand)
      .resolves({ AttachedPolicies: [] })
      .on(AttachRolePolicyCommand)
      .rejects(
        Object.assign(new Error('not authorized'), { name: 'AccessDenied' }),
      );
    const { ctx } = actionContext({
      ...baseTarget,
      accountId: MOTO_ACCOUNT,
      name: 'denied',
      policyArn: `arn:aws:iam::${MOTO_ACCOUNT}:policy/meter-siem-denied-kinesis-write`,
    });
    await expect(roleAction.handler(ctx)).rejects.toThrow(
      /AWS denied iam:AttachRolePolicy on role meter-siem-denied \(account 123456789012\)\. Grant .*"iam:AttachRolePolicy"/,
    );
  });
});
