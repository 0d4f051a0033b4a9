import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  KinesisClient,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  IntegrationFacts,
  buildIntegrationEntities,
  buildPermissionsPolicy,
  buildTrustPolicy,
  resolveSettings,
  streamArn as streamArnOf,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import { SAM, testAccess } from '../__testUtils__/org';
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

/**
 * The integration entity the catalog provider would emit for these ARNs,
 * owned by `owner` in the catalog.
 */
function entityOf(
  name: string,
  arns: { streamArn?: string; roleArn?: string; policyArn?: string },
  owner = 'group:default/security',
): Entity {
  const facts: IntegrationFacts = {
    accountId: MOTO_ACCOUNT,
    ...(arns.streamArn && {
      region,
      streamArn: arns.streamArn,
      stream: { name, tags: { owner } },
    }),
    ...(arns.roleArn && {
      role: {
        arn: arns.roleArn,
        name,
        tags: { owner },
        trustPolicy: buildTrustPolicy({
          principalArn: DEFAULT_METER_PRINCIPAL_ARN,
          externalId: 'e'.repeat(64),
        }),
      },
    }),
    ...(arns.policyArn && { policy: { arn: arns.policyArn, name } }),
  };
  const [integration] = buildIntegrationEntities([facts], {
    settings: resolveSettings(),
    fallbackOwner: 'group:default/platform',
  });
  return integration as unknown as Entity;
}

/** The action, with a catalog that holds these integration entities. */
function actionWith(...entities: Entity[]) {
  return applyTagsAction(
    actionOptions(resolveSettings(), testAccess(entities)),
  );
}

/** Records the AWS commands sent while `fn` runs. */
async function recordCommands(fn: () => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const clients: Array<{ send: (...args: any[]) => any }> = [
    KinesisClient.prototype,
    IAMClient.prototype,
  ];
  const spies = clients.map(client => {
    const original = client.send;
    return jest
      .spyOn(client, 'send')
      .mockImplementation(function spy(this: unknown, command: any) {
        sent.push(command.constructor.name.replace(/Command$/, ''));
        return original.call(this, command);
      } as never);
  });
  try {
    await fn();
  } finally {
    spies.forEach(s => s.mockRestore());
  }
  return sent;
}

/** Calls that change something in AWS. */
const writes = (commands: string[]) =>
  [...new Set(commands)].filter(c => !/^(Get|List|Describe)/.test(c));

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
  it('tags the stream, the role and the policy, keeps other tags, and converges', async () => {
    const name = uniqueName('fix');
    const arns = await handMade(name);
    const entity = entityOf(name, arns);
    const action = actionWith(entity);
    const input = {
      integration: stringifyEntityRef(entity),
      owner: 'security',
      environment: 'production',
      tags: { 'cost-center': 'CC-42' },
    };
    const first = actionContext(input);
    const sent = await recordCommands(() => action.handler(first.ctx));
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
    // Tagging writes tags and nothing else; it never removes one.
    expect(writes(sent).sort()).toEqual([
      'AddTagsToStream',
      'TagPolicy',
      'TagRole',
    ]);

    const second = actionContext(input);
    const again = await recordCommands(() => action.handler(second.ctx));
    expect(second.outputs.changed).toEqual([]);
    expect(second.logs.join('\n')).toContain('already carries');
    expect(writes(again)).toEqual([]);
  });

  it("renames Meter-guide-style keys (Owner, Environment) to the policy's, and converges", async () => {
    const name = uniqueName('guide');
    const arns = await handMade(name);
    const { kinesis, iam } = sdk(region);
    const guide = {
      Owner: 'group:default/security',
      Environment: 'Production',
    };
    await kinesis.send(
      new AddTagsToStreamCommand({ StreamName: name, Tags: guide }),
    );
    await iam.send(
      new UntagRoleCommand({ RoleName: name, TagKeys: ['owner', 'keep'] }),
    );
    await iam.send(
      new TagRoleCommand({
        RoleName: name,
        Tags: Object.entries(guide).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const entity = entityOf(name, arns);
    const action = actionWith(entity);
    const input = {
      integration: stringifyEntityRef(entity),
      owner: 'group:default/security',
      environment: 'production',
    };
    const first = actionContext(input);
    const sent = await recordCommands(() => action.handler(first.ctx));
    const expected = {
      owner: 'group:default/security',
      environment: 'production',
    };
    const tags = await tagsOf(name, arns);
    expect(tags.stream).toEqual(expected);
    expect(tags.role).toEqual(expected);
    expect(tags.policy).toEqual(expected);
    expect(writes(sent).sort()).toEqual([
      'AddTagsToStream',
      'RemoveTagsFromStream',
      'TagPolicy',
      'TagRole',
      'UntagRole',
    ]);
    expect(first.logs.join('\n')).toContain(
      `Renamed Environment to environment, Owner to owner on ${arns.streamArn}`,
    );

    const second = actionContext(input);
    expect(
      writes(await recordCommands(() => action.handler(second.ctx))),
    ).toEqual([]);
  });

  it('says in its dry run which keys it would rename', async () => {
    const name = 'meter-siem-dry-guide';
    const streamArn = streamArnOf(region, MOTO_ACCOUNT, name);
    const facts: IntegrationFacts = {
      accountId: MOTO_ACCOUNT,
      region,
      streamArn,
      stream: { name, tags: { Owner: 'group:default/security' } },
    };
    const [entity] = buildIntegrationEntities([facts], {
      settings: resolveSettings(),
      fallbackOwner: 'group:default/platform',
    }) as unknown as Entity[];
    const { ctx, logs } = actionContext(
      {
        integration: stringifyEntityRef(entity),
        owner: 'group:default/security',
        environment: 'production',
      },
      { isDryRun: true },
    );
    const sent = await recordCommands(() => actionWith(entity).handler(ctx));
    expect(sent).toEqual([]);
    expect(logs.join('\n')).toContain(
      `, and rename Owner to owner on the stream`,
    );
  });

  it('refuses a member of another team and changes no tag', async () => {
    const name = uniqueName('fix');
    const arns = await handMade(name);
    const entity = entityOf(name, arns);
    const before = await tagsOf(name, arns);
    const { ctx } = actionContext(
      {
        integration: stringifyEntityRef(entity),
        owner: 'group:default/network-engineering',
        environment: 'production',
      },
      { userRef: SAM },
    );
    const sent = await recordCommands(async () => {
      const error = await actionWith(entity)
        .handler(ctx)
        .catch(e => e);
      expect(error.name).toBe('NotAllowedError');
      expect(error.message).toContain(
        'user:default/sam.lee is not a member of group:default/security',
      );
    });
    expect(sent).toEqual([]);
    expect(await tagsOf(name, arns)).toEqual(before);
  });

  it('refuses an integration entity written by hand into a catalog file', async () => {
    const name = uniqueName('fix');
    const arns = await handMade(name);
    const forged = entityOf(name, arns);
    forged.metadata.annotations = {
      ...forged.metadata.annotations,
      'backstage.io/managed-by-location': 'url:https://example.com/x.yaml',
      'backstage.io/managed-by-origin-location':
        'url:https://example.com/x.yaml',
    };
    const { ctx } = actionContext({
      integration: stringifyEntityRef(forged),
      owner: 'group:default/security',
      environment: 'production',
    });
    const error = await actionWith(forged)
      .handler(ctx)
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain('was not discovered in AWS');
  });

  it('refuses ARNs that do not belong to the integration, before tagging any', async () => {
    const mine = uniqueName('fix');
    const theirs = uniqueName('other');
    const arns = await handMade(mine);
    const other = await handMade(theirs);
    // The entity claims another integration's stream for this role.
    const entity = entityOf(mine, { ...arns, streamArn: other.streamArn });
    const before = await tagsOf(theirs, other);
    const { ctx } = actionContext({
      integration: stringifyEntityRef(entity),
      owner: 'group:default/security',
      environment: 'production',
    });
    const error = await actionWith(entity)
      .handler(ctx)
      .catch(e => e);
    expect(error.message).toContain(
      `the policies of role ${arns.roleArn} do not grant writes on stream ${other.streamArn}`,
    );
    expect(await tagsOf(theirs, other)).toEqual(before);
  });

  it('tags the role of an integration that names no specific stream', async () => {
    const name = uniqueName('wild');
    const { iam } = sdk(region);
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify(
          buildTrustPolicy({
            principalArn: DEFAULT_METER_PRINCIPAL_ARN,
            externalId: 'e'.repeat(64),
          }),
        ),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
        }),
      }),
    );
    const entity = entityOf(name, { roleArn: Role!.Arn! });
    const { ctx, outputs } = actionContext({
      integration: stringifyEntityRef(entity),
      owner: 'group:default/security',
      environment: 'production',
    });
    await actionWith(entity).handler(ctx);
    expect(outputs.changed).toEqual([Role!.Arn]);
    const { Tags } = await iam.send(
      new ListRoleTagsCommand({ RoleName: name }),
    );
    expect(tagsToRecord(Tags)).toMatchObject({
      owner: 'group:default/security',
      environment: 'production',
    });
  });

  it('tags only the stream when the role is gone', async () => {
    const name = `meter-siem-${uniqueName('fix')}`;
    const { kinesis } = sdk(region);
    await kinesis.send(
      new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
    );
    const streamArn = streamArnOf(region, MOTO_ACCOUNT, name);
    const entity = entityOf(name, { streamArn });
    const { ctx, outputs } = actionContext({
      integration: stringifyEntityRef(entity),
      owner: 'user:default/jane.doe',
      environment: 'staging',
    });
    await actionWith(entity).handler(ctx);
    expect(outputs.changed).toEqual([streamArn]);
  });

  it('calls no AWS API in a dry run', async () => {
    const name = 'meter-siem-nowhere';
    const entity = entityOf(name, {
      streamArn: streamArnOf(region, MOTO_ACCOUNT, name),
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`,
    });
    const { ctx, outputs, logs } = actionContext(
      {
        integration: stringifyEntityRef(entity),
        owner: 'group:default/security',
        environment: 'production',
      },
      { isDryRun: true },
    );
    const sent = await recordCommands(() => actionWith(entity).handler(ctx));
    expect(outputs.changed).toEqual([]);
    expect(logs.join('\n')).toContain(
      'Dry run: would set owner=group:default/security, environment=production',
    );
    expect(sent).toEqual([]);
  });

  it('refuses bad input before any AWS call, naming each field', async () => {
    const { ctx } = actionContext({
      integration: 'resource:default/nothing-here',
      owner: 'Network Team',
      environment: 'prod=uction!',
      tags: { owner: 'x' },
    });
    const error = await actionWith()
      .handler(ctx)
      .catch(e => e);
    expect(error.name).toBe('InputError');
    for (const part of [
      'owner must be a group or user reference',
      'environment.environment tag values may contain only',
      'tags.owner "owner" is set by the product itself',
    ]) {
      expect(error.message).toContain(part);
    }
  });

  it('names an integration the catalog does not have', async () => {
    const { ctx } = actionContext({
      integration: 'resource:default/nothing-here',
      owner: 'group:default/security',
      environment: 'production',
    });
    await expect(actionWith().handler(ctx)).rejects.toThrow(
      'No Meter SIEM integration resource:default/nothing-here in the catalog',
    );
  });
});
