import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

import {
  MOTO_ACCOUNT,
  actionContext,
  actionOptions,
  baseTarget,
  sdk,
  uniqueName,
} from '../__testUtils__/moto';
import { byKey, createPolicy, expectedTags } from '../__testUtils__/iam';
import { createRoleAction } from './createRole';

const roleAction = createRoleAction(actionOptions());
const { iam } = sdk('us-east-1');

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
