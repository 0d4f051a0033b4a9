import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteStreamCommand,
} from '@aws-sdk/client-kinesis';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  ANNOTATIONS,
  DEFAULT_METER_PRINCIPAL_ARN,
  auditIntegration,
  buildPermissionsPolicy,
  parseAuditFacts,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { randomBytes } from 'node:crypto';
import {
  awsConfig,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from '../__testUtils__/moto';
import { MeterSiemEntityProvider } from './MeterSiemEntityProvider';

requireMoto();
jest.setTimeout(60_000);

const region = 'us-east-1';
const settings = resolveSettings();

/** Tags that break no rule, as the template writes them. */
const cleanTags = (name: string) => ({
  owner: 'group:default/network',
  environment: 'production',
  'managed-by': 'backstage',
  'meter-siem-integration': name,
});

/** One full sync of the account's provider; the entities it emits. */
async function syncOnce(accountId: string): Promise<Entity[]> {
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader({
      aws: awsConfig([accountId]),
      catalog: {
        providers: {
          meterSiem: { regions: [region], accounts: [{ accountId }] },
        },
      },
    }),
    {
      logger: mockServices.logger.mock(),
      scheduler: mockServices.scheduler.mock(),
    },
  );
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  await provider.connect(connection);
  await provider.refresh();
  const [mutation] = connection.applyMutation.mock.calls[0];
  return mutation.entities.map((d: { entity: Entity }) => d.entity);
}

describe('the audit of integrations made by hand in moto', () => {
  const accountId = freshAccountId();
  let entities: Entity[];

  beforeAll(async () => {
    const clients = await seedClients(accountId, region);
    const { iam } = clients;
    const seed = (name: string, tags: Record<string, string>) =>
      seedIntegration(clients, {
        region,
        streamName: `meter-siem-${name}`,
        roleName: `meter-siem-${name}`,
        policyName: `meter-siem-${name}-kinesis-write`,
        tags,
      });

    await seed('clean', cleanTags('clean'));
    await seedIntegration(clients, {
      region,
      streamName: 'meter-siem-no-alarm',
      roleName: 'meter-siem-no-alarm',
      policyName: 'meter-siem-no-alarm-kinesis-write',
      tags: cleanTags('no-alarm'),
      alarm: false,
    });
    const { owner, ...unowned } = cleanTags('no-owner');
    await seed('no-owner', unowned);
    await seed('unknown-owner', {
      ...cleanTags('unknown-owner'),
      owner: 'group:default/ghosts',
    });
    await seed('mismatch', cleanTags('mismatch'));
    await iam.send(
      new TagRoleCommand({
        RoleName: 'meter-siem-mismatch',
        Tags: [{ Key: 'owner', Value: 'user:default/jane' }],
      }),
    );
    const { environment, ...noEnvironment } = cleanTags('no-env');
    await seed('no-env', noEnvironment);
    await seed('bad-env', { ...cleanTags('bad-env'), environment: 'prod' });
    const { 'managed-by': managedBy, ...byHand } = cleanTags('hand');
    await seed('hand', byHand);

    await seed('no-external-id', cleanTags('no-external-id'));
    // The console guide's most common slip: the condition left out.
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'meter-siem-no-external-id',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: DEFAULT_METER_PRINCIPAL_ARN },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );

    await seed('broad', cleanTags('broad'));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'meter-siem-broad',
        PolicyName: 'kinesis-everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
        }),
      }),
    );

    // Tags as Meter's console guide writes them.
    await seed('guide', {
      Owner: 'group:default/network',
      Environment: 'Production',
      'managed-by': 'backstage',
      'meter-siem-integration': 'guide',
    });
    await seed('stream-gone', cleanTags('stream-gone'));
    await clients
      .kinesis(region)
      .send(new DeleteStreamCommand({ StreamName: 'meter-siem-stream-gone' }));

    const roleGone = await seed('role-gone', cleanTags('role-gone'));
    await iam.send(
      new DetachRolePolicyCommand({
        RoleName: roleGone.roleName,
        PolicyArn: `arn:aws:iam::${accountId}:policy/${roleGone.policyName}`,
      }),
    );
    await iam.send(new DeleteRoleCommand({ RoleName: roleGone.roleName }));

    entities = await syncOnce(accountId);
  });

  it('fires each rule exactly where it should', () => {
    const fired: Record<string, string[]> = {};
    for (const entity of entities) {
      if (entity.spec?.type !== 'meter-siem-integration') continue;
      const facts = parseAuditFacts(
        entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
      );
      expect(facts).toBeDefined();
      fired[entity.metadata.title!] = auditIntegration(facts!, {
        tagKeys: settings.tagKeys,
        requiredTags: ['owner', 'environment'],
        allowedValues: { environment: ['production', 'staging'] },
        knownOwners: new Set(['group:default/network', 'user:default/jane']),
      })
        .map(f => `${f.ruleId}:${f.resource}`)
        .sort();
    }
    expect(fired).toEqual({
      clean: [],
      'no-alarm': ['no-silence-alarm:stream'],
      'no-owner': ['owner-tag-missing:role', 'owner-tag-missing:stream'],
      'unknown-owner': ['owner-unknown:role', 'owner-unknown:stream'],
      mismatch: ['owner-mismatch:integration'],
      'no-env': ['required-tag-missing:role', 'required-tag-missing:stream'],
      'bad-env': ['tag-value-not-allowed:role', 'tag-value-not-allowed:stream'],
      hand: ['unmanaged:integration'],
      // Read whatever the case: no owner-tag-missing, a low finding instead.
      guide: ['tag-key-case:role', 'tag-key-case:stream'],
      'no-external-id': ['trust-without-external-id:role'],
      broad: ['policy-too-broad:policy'],
      'stream-gone': ['counterpart-missing:stream'],
      // The run's policy outlives its role: left behind, on the stream's
      // integration of the same name.
      'role-gone': ['counterpart-missing:role', 'left-behind:policy'],
    });
  });

  it("takes the owner from an Owner tag written in Meter's guide's style", () => {
    const guide = entities.find(e => e.metadata.title === 'guide');
    expect(guide?.spec?.owner).toBe('group:default/network');
    expect(guide?.metadata.annotations?.[ANNOTATIONS.environment]).toBe(
      'Production',
    );
  });

  it('reports the guide-style keys once per resource, naming each key and its spelling', () => {
    const guide = entities.find(e => e.metadata.title === 'guide')!;
    const facts = parseAuditFacts(
      guide.metadata.annotations?.[ANNOTATIONS.auditFacts],
    )!;
    const findings = auditIntegration(facts, {
      tagKeys: settings.tagKeys,
      requiredTags: ['owner', 'environment'],
      allowedValues: { environment: ['production', 'staging'] },
      knownOwners: new Set(['group:default/network']),
    });
    expect(findings.map(f => [f.ruleId, f.severity, f.resourceArn])).toEqual([
      [
        'tag-key-case',
        'low',
        `arn:aws:kinesis:${region}:${accountId}:stream/meter-siem-guide`,
      ],
      [
        'tag-key-case',
        'low',
        `arn:aws:iam::${accountId}:role/meter-siem-guide`,
      ],
    ]);
    findings.forEach((finding, i) => {
      // The keys in the order AWS lists them (IAM: as tagged).
      expect(finding.message).toMatch(
        new RegExp(`^The ${i === 0 ? 'stream' : 'role'}'s tag keys "`),
      );
      expect(finding.message).toContain(
        '"Owner" (the policy spells it "owner")',
      );
      expect(finding.message).toContain(
        '"Environment" (the policy spells it "environment")',
      );
      expect(finding.message).not.toContain('managed-by');
    });
    expect(findings[0].remedy).toContain('meter-siem-fix-ownership-tags');
  });

  it('records no external ID in any entity', () => {
    const text = JSON.stringify(entities);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(text).toContain('"hasExternalIdCondition\\":false');
  });
});

describe('streams left behind, in a region with more than one page of them', () => {
  it('are all found, past the first page of ListStreams', async () => {
    const accountId = freshAccountId();
    const clients = await seedClients(accountId, region);
    const names = Array.from(
      { length: 15 },
      (_, i) => `meter-siem-orphan-${i}`,
    );
    for (const StreamName of names) {
      await clients
        .kinesis(region)
        .send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    }
    const streams = (await syncOnce(accountId))
      .filter((e: Entity) => e.spec?.type === 'kinesis-stream')
      .map((e: Entity) => e.metadata.annotations?.[ANNOTATIONS.streamArn]);
    expect(streams.sort()).toEqual(
      names
        .map(n => `arn:aws:kinesis:${region}:${accountId}:stream/${n}`)
        .sort(),
    );
  });
});

describe('the audit of every role Meter may assume, and of what is left behind', () => {
  const accountId = freshAccountId();
  const externalId = randomBytes(32).toString('hex');
  const roleArn = (n: string) =>
    `arn:aws:iam::${accountId}:role/meter-siem-${n}`;
  const policyArn = (n: string) =>
    `arn:aws:iam::${accountId}:policy/meter-siem-${n}-kinesis-write`;
  const streamArnOf = (n: string) =>
    `arn:aws:kinesis:${region}:${accountId}:stream/meter-siem-${n}`;
  const keyArn = `arn:aws:kms:${region}:${accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const write = ['kinesis:PutRecord', 'kinesis:PutRecords'];
  const meter = (extra: object = {}) => ({
    Effect: 'Allow',
    Principal: { AWS: DEFAULT_METER_PRINCIPAL_ARN },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    ...extra,
  });
  const document = (...Statement: object[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement });
  const tagList = (tags: Record<string, string>) =>
    Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  let entities: Entity[];
  let fired: Record<string, string[]>;

  beforeAll(async () => {
    const clients = await seedClients(accountId, region);
    const { iam } = clients;
    const kinesis = clients.kinesis(region);
    const stream = async (name: string) => {
      const StreamName = `meter-siem-${name}`;
      await kinesis.send(
        new CreateStreamCommand({ StreamName, ShardCount: 1 }),
      );
      await kinesis.send(
        new AddTagsToStreamCommand({ StreamName, Tags: cleanTags(name) }),
      );
    };
    const policy = (name: string, statements: object[]) =>
      iam.send(
        new CreatePolicyCommand({
          PolicyName: `meter-siem-${name}-kinesis-write`,
          PolicyDocument: document(...statements),
          Tags: tagList(cleanTags(name)),
        }),
      );
    /**
     * A role as the template names and tags it (CreateRole, since moto
     * checks the actions of UpdateAssumeRolePolicy but not of CreateRole),
     * with a managed policy unless `grant` is null.
     */
    const role = async (
      name: string,
      trust: object[],
      grant: object[] | null,
    ) => {
      await iam.send(
        new CreateRoleCommand({
          RoleName: `meter-siem-${name}`,
          AssumeRolePolicyDocument: document(...trust),
          Tags: tagList(cleanTags(name)),
        }),
      );
      if (grant) {
        await policy(name, grant);
        await iam.send(
          new AttachRolePolicyCommand({
            RoleName: `meter-siem-${name}`,
            PolicyArn: policyArn(name),
          }),
        );
      }
    };
    /** A stream and a role trusted by `trust`, granted `grant`. */
    const integrationOf = async (
      name: string,
      trust: object[] = [meter()],
      grant: object[] = buildPermissionsPolicy(streamArnOf(name)).Statement,
    ) => {
      await stream(name);
      await role(name, trust, grant);
    };

    await integrationOf('clean');
    // Its stream is reached by a wildcard only: one integration all the same.
    await integrationOf('star', undefined, [
      { Effect: 'Allow', Action: write, Resource: '*' },
    ]);
    // No stream of its own.
    await role(
      'any-stream',
      [meter()],
      [
        {
          Effect: 'Allow',
          Action: 'kinesis:*',
          Resource: 'arn:aws:kinesis:*:*:stream/*',
        },
      ],
    );
    await integrationOf('sts-star', [
      meter({ Action: 'sts:*', Condition: undefined }),
    ]);
    await integrationOf('glob-trust', [meter({ Action: ['STS:AssumeRol?'] })]);
    await integrationOf('anyone', [meter({ Principal: '*' })]);
    await integrationOf('anyone-aws', [
      meter({ Principal: { AWS: '*' }, Condition: undefined }),
    ]);
    await integrationOf('not-action', undefined, [
      {
        Effect: 'Allow',
        NotAction: 'iam:*',
        Resource: streamArnOf('not-action'),
      },
    ]);
    await role('no-grant', [meter()], null);
    await integrationOf('extra', [
      meter({
        Principal: {
          AWS: [DEFAULT_METER_PRINCIPAL_ARN, 'arn:aws:iam::111122223333:root'],
        },
      }),
      {
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    await integrationOf(
      'kms',
      undefined,
      buildPermissionsPolicy(streamArnOf('kms'), { kmsKeyArn: keyArn })
        .Statement,
    );
    await integrationOf('kms-broad', undefined, [
      ...buildPermissionsPolicy(streamArnOf('kms-broad')).Statement,
      { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    ]);
    // A run that stopped after the policy.
    await policy(
      'abandoned',
      buildPermissionsPolicy(streamArnOf('abandoned')).Statement,
    );
    // A role that no longer trusts Meter, with its policy.
    await role(
      'retired',
      [
        {
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
      buildPermissionsPolicy(streamArnOf('retired')).Statement,
    );
    // A policy named like ours but not tagged by Backstage: not ours.
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'meter-siem-foreign-kinesis-write',
        PolicyDocument: document({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
        }),
      }),
    );
    // A stream no role names, which the wildcards above reach.
    await stream('lonely');

    entities = await syncOnce(accountId);
    fired = {};
    for (const entity of entities) {
      if (entity.spec?.type !== 'meter-siem-integration') continue;
      const facts = parseAuditFacts(
        entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
      );
      if (!facts) throw new Error(`no audit facts on ${entity.metadata.name}`);
      fired[entity.metadata.title!] = auditIntegration(facts, {
        tagKeys: settings.tagKeys,
        requiredTags: ['owner', 'environment'],
        allowedValues: { environment: ['production', 'staging'] },
        knownOwners: new Set(['group:default/network']),
      })
        // Streams made here have no alarm; that rule is the test's above.
        .filter(f => f.ruleId !== 'no-silence-alarm')
        .map(f => `${f.ruleId}:${f.resource}:${f.resourceArn ?? ''}`)
        .sort();
    }
  });

  it('finds every role Meter may assume, and exactly these findings', () => {
    expect(fired).toEqual({
      clean: [],
      star: [`policy-too-broad:policy:${policyArn('star')}`],
      'any-stream': [`policy-too-broad:policy:${policyArn('any-stream')}`],
      'sts-star': [`trust-without-external-id:role:${roleArn('sts-star')}`],
      'glob-trust': [],
      anyone: [`trust-any-principal:role:${roleArn('anyone')}`],
      'anyone-aws': [
        `trust-any-principal:role:${roleArn('anyone-aws')}`,
        `trust-without-external-id:role:${roleArn('anyone-aws')}`,
      ],
      'not-action': [`policy-too-broad:policy:${policyArn('not-action')}`],
      'no-grant': [`no-stream-grant:role:${roleArn('no-grant')}`],
      extra: [`trust-extra-principals:role:${roleArn('extra')}`],
      kms: [],
      'kms-broad': [`policy-too-broad:policy:${policyArn('kms-broad')}`],
      abandoned: [`left-behind:policy:${policyArn('abandoned')}`],
      retired: [
        `left-behind:policy:${policyArn('retired')}`,
        `left-behind:role:${roleArn('retired')}`,
      ],
      lonely: ['counterpart-missing:role:'],
    });
  });

  const integration = (title: string) =>
    entities.find(
      e =>
        e.spec?.type === 'meter-siem-integration' && e.metadata.title === title,
    )!;

  it('pairs a wildcard role with the stream of its name, and no other', () => {
    expect(integration('star').metadata.annotations).toMatchObject({
      [ANNOTATIONS.streamArn]: streamArnOf('star'),
      [ANNOTATIONS.roleArn]: roleArn('star'),
    });
    const anyStream = integration('any-stream');
    expect(anyStream.metadata.annotations).not.toHaveProperty(
      ANNOTATIONS.streamArn,
    );
    expect(anyStream.spec?.dependsOn).toEqual([
      `resource:default/any-stream-${accountId}-role`,
      `resource:default/any-stream-${accountId}-policy`,
    ]);
    const lonely = parseAuditFacts(
      integration('lonely').metadata.annotations?.[ANNOTATIONS.auditFacts],
    );
    expect(lonely?.streamReachableBy).toEqual([
      roleArn('any-stream'),
      roleArn('star'),
    ]);
  });

  it('records what is left behind on an integration of its own name', () => {
    const retired = integration('retired');
    expect(retired.metadata.name).toBe(`retired-${accountId}`);
    expect(retired.spec?.owner).toBe('group:default/network');
    expect(retired.spec?.dependsOn).toEqual([]);
    expect(JSON.stringify(entities)).not.toContain('meter-siem-foreign');
  });

  it('records the trust without the external ID, and whom it lets in', () => {
    expect(JSON.stringify(entities)).not.toContain(externalId);
    expect(
      parseAuditFacts(
        integration('extra').metadata.annotations?.[ANNOTATIONS.auditFacts],
      )?.trust,
    ).toEqual({
      trustsMeter: true,
      hasExternalIdCondition: true,
      otherPrincipals: ['arn:aws:iam::111122223333:root', 'ec2.amazonaws.com'],
    });
  });
});
