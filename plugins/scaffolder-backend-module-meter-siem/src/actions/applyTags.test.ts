import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import {
  CreateStreamCommand,
  KinesisClient,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  buildPermissionsPolicy,
  buildTrustPolicy,
  streamArn as streamArnOf,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  MOTO_ACCOUNT,
  actionContext,
  actionOptions,
  sdk,
  uniqueName,
} from '../__testUtils__/moto';
import { applyTagsAction } from './applyTags';

jest.setTimeout(30_000);

const region = 'eu-west-1';

/** An integration made by hand, as the console guide has it: no tags. */
async function handMade(name: string) {
  const { kinesis, iam } = sdk(region);
  await kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
  );
  const streamArn = streamArnOf(region, MOTO_ACCOUNT, name);
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: name,
      PolicyDocument: JSON.stringify(buildPermissionsPolicy(streamArn)),
    }),
  );
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(
        buildTrustPolicy({
          principalArn: DEFAULT_METER_PRINCIPAL_ARN,
          externalId: 'e'.repeat(64),
        }),
      ),
      Tags: [
        { Key: 'owner', Value: 'someone-else' },
        { Key: 'keep', Value: 'me' },
      ],
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({ RoleName: name, PolicyArn: Policy!.Arn }),
  );
  return { streamArn, roleArn: Role!.Arn!, policyArn: Policy!.Arn! };
}

async function tagsOf(name: string, arns: { policyArn: string }) {
  const { kinesis, iam } = sdk(region);
  const stream = await kinesis.send(
    new ListTagsForStreamCommand({ StreamName: name }),
  );
  const role = await iam.send(new ListRoleTagsCommand({ RoleName: name }));
  const policy = await iam.send(
    new ListPolicyTagsCommand({ PolicyArn: arns.policyArn }),
  );
  return {
    stream: tagsToRecord(stream.Tags),
    role: tagsToRecord(role.Tags),
    policy: tagsToRecord(policy.Tags),
  };
}

describe('meter-siem:tags:apply against moto', () => {
  const action = applyTagsAction(actionOptions());

  it('tags the stream, the role and the policy, keeps other tags, and converges', async () => {
    const name = uniqueName('fix');
    const arns = await handMade(name);
    const input = {
      ...arns,
      owner: 'security',
      environment: 'production',
      tags: { 'cost-center': 'CC-42' },
    };
    const sent: string[] = [];
    const record = (client: { send: (...args: any[]) => any }) => {
      const original = client.send;
      return jest
        .spyOn(client, 'send')
        .mockImplementation(function spy(this: unknown, command: any) {
          sent.push(command.constructor.name);
          return original.call(this, command);
        } as never);
    };
    const spies = [
      record(KinesisClient.prototype),
      record(IAMClient.prototype),
    ];
    try {
      const first = actionContext(input);
      await action.handler(first.ctx);
      expect(first.outputs.changed).toEqual([
        arns.streamArn,
        arns.roleArn,
        arns.policyArn,
      ]);
      const expected = {
        owner: 'group:default/security',
        environment: 'production',
        'cost-center': 'CC-42',
      };
      const tags = await tagsOf(name, arns);
      expect(tags.stream).toEqual(expected);
      expect(tags.role).toEqual({ ...expected, keep: 'me' });
      expect(tags.policy).toEqual(expected);

      const second = actionContext(input);
      await action.handler(second.ctx);
      expect(second.outputs.changed).toEqual([]);
      expect(second.logs.join('\n')).toContain('already carries');
    } finally {
      spies.forEach(s => s.mockRestore());
    }
    // Tagging never touches anything but tags.
    expect([...new Set(sent)].filter(c => !/Tag/.test(c))).toEqual([]);
  });

  it('tags only the stream when the role is gone and the policy inline', async () => {
    const name = uniqueName('fix');
    const { kinesis } = sdk(region);
    await kinesis.send(
      new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
    );
    const streamArn = streamArnOf(region, MOTO_ACCOUNT, name);
    const { ctx, outputs } = actionContext({
      streamArn,
      roleArn: '',
      owner: 'user:default/jane',
      environment: 'staging',
    });
    await action.handler(ctx);
    expect(outputs.changed).toEqual([streamArn]);
  });

  it('calls no AWS API in a dry run', async () => {
    const kinesis = jest.spyOn(KinesisClient.prototype, 'send');
    const iam = jest.spyOn(IAMClient.prototype, 'send');
    try {
      const { ctx, outputs, logs } = actionContext(
        {
          streamArn: streamArnOf(region, MOTO_ACCOUNT, 'meter-siem-nowhere'),
          roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-nowhere`,
          owner: 'group:default/security',
          environment: 'production',
        },
        { isDryRun: true },
      );
      await action.handler(ctx);
      expect(outputs.changed).toEqual([]);
      expect(logs.join('\n')).toContain(
        'Dry run: would set owner=group:default/security, environment=production',
      );
      expect(kinesis).not.toHaveBeenCalled();
      expect(iam).not.toHaveBeenCalled();
    } finally {
      kinesis.mockRestore();
      iam.mockRestore();
    }
  });

  it('refuses bad input before any AWS call, naming each field', async () => {
    const { ctx } = actionContext({
      streamArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/not-a-stream`,
      roleArn: 'nonsense',
      policyArn: `arn:aws:iam::999999999999:policy/elsewhere`,
      owner: 'Network Team',
      environment: 'prod=uction!',
      tags: { owner: 'x' },
    });
    const error = await action.handler(ctx).catch(e => e);
    expect(error.name).toBe('InputError');
    for (const part of [
      'streamArn must be the ARN of a Kinesis stream',
      'roleArn must be the ARN of an IAM role',
      'owner must be a group or user reference',
      'environment.environment tag values may contain only',
      'tags.owner "owner" is set by the product itself',
    ]) {
      expect(error.message).toContain(part);
    }
  });
});
