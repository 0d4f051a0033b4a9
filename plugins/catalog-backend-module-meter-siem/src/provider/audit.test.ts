import {
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
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
  parseAuditFacts,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  awsConfig,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from '../testing/moto';
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
      'no-owner': ['owner-tag-missing:role', 'owner-tag-missing:stream'],
      'unknown-owner': ['owner-unknown:role', 'owner-unknown:stream'],
      mismatch: ['owner-mismatch:integration'],
      'no-env': ['required-tag-missing:role', 'required-tag-missing:stream'],
      'bad-env': ['tag-value-not-allowed:role', 'tag-value-not-allowed:stream'],
      hand: ['unmanaged:integration'],
      'no-external-id': ['trust-without-external-id:role'],
      broad: ['policy-too-broad:policy'],
      'stream-gone': ['counterpart-missing:stream'],
      'role-gone': ['counterpart-missing:role'],
    });
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
