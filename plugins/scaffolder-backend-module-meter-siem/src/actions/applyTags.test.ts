import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagPolicyCommand,
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
  ANNOTATIONS,
  DEFAULT_METER_PRINCIPAL_ARN,
  IntegrationFacts,
  auditIntegration,
  buildIntegrationEntities,
  defaultRequiredTags,
  parseAuditFacts,
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
import { createApplyTagsAction } from './applyTags';

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
 * with the stream's and the role's tags as it read them (by default owned
 * by group:default/security).
 */
function entityOf(
  name: string,
  arns: { streamArn?: string; roleArn?: string; policyArn?: string },
  tags: { stream?: Record<string, string>; role?: Record<string, string> } = {},
): Entity {
  const owned = { owner: 'group:default/security' };
  const facts: IntegrationFacts = {
    accountId: MOTO_ACCOUNT,
    ...(arns.streamArn && {
      region,
      streamArn: arns.streamArn,
      stream: { name, tags: tags.stream ?? owned },
    }),
    ...(arns.roleArn && {
      role: {
        arn: arns.roleArn,
        name,
        tags: tags.role ?? owned,
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
  return createApplyTagsAction(
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

/** Whether a command only reads (its name starts with one of these verbs). */
const isRead = (command: string) => /^(Get|List|Describe)[A-Z]/.test(command);

/** Calls that change something in AWS, each as often as it was sent. */
const writes = (commands: string[]) => commands.filter(c => !isRead(c));

/**
 * The writes sent while `fn` runs, in order, with their input (tag lists
 * and key lists sorted, since their order is AWS's).
 */
async function recordWrites(
  fn: () => Promise<void>,
): Promise<Array<[string, Record<string, unknown>]>> {
  const sent: Array<[string, Record<string, unknown>]> = [];
  const clients: Array<{ send: (...args: any[]) => any }> = [
    KinesisClient.prototype,
    IAMClient.prototype,
  ];
  const spies = clients.map(client => {
    const original = client.send;
    return jest
      .spyOn(client, 'send')
      .mockImplementation(function spy(this: unknown, command: any) {
        const name = command.constructor.name.replace(/Command$/, '');
        if (!isRead(name)) {
          const input = { ...command.input };
          if (Array.isArray(input.TagKeys))
            input.TagKeys = [...input.TagKeys].sort();
          if (Array.isArray(input.Tags)) {
            input.Tags = [...input.Tags].sort((x: any, y: any) =>
              x.Key.localeCompare(y.Key),
            );
          }
          sent.push([name, input]);
        }
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

/** The audit's findings on an integration entity, as the Audit page shows them. */
function findingsOf(entity: Entity): string[] {
  const facts = parseAuditFacts(
    entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
  )!;
  const settings = resolveSettings();
  return auditIntegration(facts, {
    tagKeys: settings.tagKeys,
    requiredTags: defaultRequiredTags(settings.tagKeys),
    allowedValues: { environment: ['production', 'staging'] },
    knownOwners: new Set(['group:default/security']),
  })
    .map(f => `${f.ruleId}:${f.resource}`)
    .sort();
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

  it("reads Meter-guide-style keys (Owner, Environment), renames them to the policy's on stream, role and policy, and converges", async () => {
    const name = uniqueName('guide');
    const arns = await handMade(name);
    const { kinesis, iam } = sdk(region);
    // As Meter's console guide suggests tagging: ManagedBy is its own key,
    // not managed-by, and stays as it is.
    const guide = {
      Owner: 'group:default/security',
      Environment: 'Production',
      ManagedBy: 'Security Team',
    };
    const guideList = Object.entries(guide).map(([Key, Value]) => ({
      Key,
      Value,
    }));
    await kinesis.send(
      new AddTagsToStreamCommand({ StreamName: name, Tags: guide }),
    );
    await iam.send(
      new UntagRoleCommand({ RoleName: name, TagKeys: ['owner', 'keep'] }),
    );
    await iam.send(new TagRoleCommand({ RoleName: name, Tags: guideList }));
    await iam.send(
      new TagPolicyCommand({ PolicyArn: arns.policyArn, Tags: guideList }),
    );
    const before = await tagsOf(name, arns);
    expect(before).toEqual({ stream: guide, role: guide, policy: guide });

    // The catalog reads them: the right owner, no owner-tag-missing, a
    // tag-key-case finding per resource (and unmanaged: no managed-by).
    const entity = entityOf(name, arns, {
      stream: before.stream,
      role: before.role,
    });
    expect(entity.spec?.owner).toBe('group:default/security');
    expect(findingsOf(entity)).toEqual([
      'tag-key-case:role',
      'tag-key-case:stream',
      'unmanaged:integration',
    ]);

    const action = actionWith(entity);
    const input = {
      integration: stringifyEntityRef(entity),
      owner: 'group:default/security',
      environment: 'production',
    };

    // The dry run names the renames from the catalog's read, and sends nothing.
    const dry = actionContext(input, { isDryRun: true });
    expect(await recordWrites(() => action.handler(dry.ctx))).toEqual([]);
    const said = dry.logs.join('\n');
    expect(said).toContain(
      ', and rename Environment to environment, Owner to owner on the stream; Environment to environment, Owner to owner on the role (keys as the catalog last read them',
    );
    expect(said).toContain("The catalog does not hold the policy's tags");
    expect(await tagsOf(name, arns)).toEqual(before);

    const first = actionContext(input);
    const sent = await recordWrites(() => action.handler(first.ctx));
    const policyTags = [
      { Key: 'environment', Value: 'production' },
      { Key: 'owner', Value: 'group:default/security' },
    ];
    const old = ['Environment', 'Owner'];
    // Kinesis keeps both spellings: tag first, then remove the old keys.
    // IAM takes them for one key: remove the old keys first, then tag.
    expect(sent).toEqual([
      [
        'AddTagsToStream',
        {
          StreamName: name,
          Tags: {
            owner: 'group:default/security',
            environment: 'production',
          },
        },
      ],
      ['RemoveTagsFromStream', { StreamName: name, TagKeys: old }],
      ['UntagRole', { RoleName: name, TagKeys: old }],
      ['TagRole', { RoleName: name, Tags: policyTags }],
      ['UntagPolicy', { PolicyArn: arns.policyArn, TagKeys: old }],
      ['TagPolicy', { PolicyArn: arns.policyArn, Tags: policyTags }],
    ]);
    expect(first.outputs.changed).toEqual([
      arns.streamArn,
      arns.roleArn,
      arns.policyArn,
    ]);
    const expected = {
      owner: 'group:default/security',
      environment: 'production',
      ManagedBy: 'Security Team',
    };
    const after = await tagsOf(name, arns);
    expect(after).toEqual({
      stream: expected,
      role: expected,
      policy: expected,
    });
    expect(first.logs.join('\n')).toContain(
      `Renamed Environment to environment, Owner to owner on ${arns.streamArn}`,
    );

    // The next sync: the tag-key-case findings are gone.
    expect(
      findingsOf(
        entityOf(name, arns, { stream: after.stream, role: after.role }),
      ),
    ).toEqual(['unmanaged:integration']);

    // A re-run sends no write and changes nothing.
    const second = actionContext(input);
    expect(await recordWrites(() => action.handler(second.ctx))).toEqual([]);
    expect(second.outputs.changed).toEqual([]);
    expect(await tagsOf(name, arns)).toEqual(after);
  });

  it('never leaves both spellings of a key: Environment beside environment, an extra tag in another case', async () => {
    const name = uniqueName('both');
    const arns = await handMade(name);
    const { kinesis, iam } = sdk(region);
    // Kinesis keeps keys that differ only in case side by side.
    await kinesis.send(
      new AddTagsToStreamCommand({
        StreamName: name,
        Tags: {
          Environment: 'Production',
          environment: 'staging',
          'Cost-Center': 'CC-1',
          System: 'system:default/siem',
        },
      }),
    );
    await iam.send(
      new TagRoleCommand({
        RoleName: name,
        Tags: [{ Key: 'Cost-Center', Value: 'CC-1' }],
      }),
    );
    const entity = entityOf(name, arns);
    const input = {
      integration: stringifyEntityRef(entity),
      owner: 'group:default/security',
      environment: 'production',
      tags: { 'cost-center': 'CC-42' },
    };
    const action = actionWith(entity);
    const first = actionContext(input);
    const sent = await recordWrites(() => action.handler(first.ctx));
    expect(sent.filter(([, i]) => i.StreamName)).toEqual([
      [
        'AddTagsToStream',
        {
          StreamName: name,
          Tags: {
            system: 'system:default/siem',
            'cost-center': 'CC-42',
            owner: 'group:default/security',
            environment: 'production',
          },
        },
      ],
      [
        'RemoveTagsFromStream',
        { StreamName: name, TagKeys: ['Cost-Center', 'Environment', 'System'] },
      ],
    ]);
    const wanted = {
      owner: 'group:default/security',
      environment: 'production',
      'cost-center': 'CC-42',
    };
    const tags = await tagsOf(name, arns);
    // The system tag the run gave no value for keeps its value.
    expect(tags.stream).toEqual({ ...wanted, system: 'system:default/siem' });
    expect(tags.role).toEqual({ ...wanted, keep: 'me' });
    expect(tags.policy).toEqual(wanted);

    const second = actionContext(input);
    expect(await recordWrites(() => action.handler(second.ctx))).toEqual([]);
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
      tags: { owner: 'x', Environment: 'Production' },
    });
    const error = await actionWith()
      .handler(ctx)
      .catch(e => e);
    expect(error.name).toBe('InputError');
    for (const part of [
      'owner must be a group or user reference',
      'environment.environment tag values may contain only',
      'tags.owner "owner" is set by the product itself',
      'tags.Environment "Environment" is the product\'s own tag "environment" (IAM ignores the case of tag keys, and so does the product) and cannot be given as an extra tag',
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
