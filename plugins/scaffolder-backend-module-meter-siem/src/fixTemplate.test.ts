import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
} from '@aws-sdk/client-kinesis';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  ANNOTATIONS,
  DEFAULT_METER_PRINCIPAL_ARN,
  auditIntegration,
  buildPermissionsPolicy,
  buildTrustPolicy,
  parseAuditFacts,
  resolveSettings,
  streamArn as streamArnOf,
} from '@internal/backstage-plugin-meter-siem-common';
import { randomInt } from 'node:crypto';
import { AwsClientFactory } from '@internal/backstage-plugin-meter-siem-node';
import { startScaffolder } from './__testUtils__/backend';
import { syncWithConfig } from './__testUtils__/integration';
import { ALEX, JANE } from './__testUtils__/org';

jest.setTimeout(90_000);

const region = 'eu-west-1';
const accountId = String(randomInt(100_000_000_000, 999_999_999_999));
/** Moto scopes calls with a role assumed in an account to that account. */
const aws = {
  accounts: [{ accountId, roleName: 'backstage-meter-siem-reader' }],
};
const settings = resolveSettings();
const network: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'network', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

/** Made by hand: no owner on the role, an owner nobody knows on the stream. */
async function seedHandMade(name: string) {
  const { kinesis, iam } = await new AwsClientFactory(
    DefaultAwsCredentialsManager.fromConfig(new ConfigReader({ aws })),
  ).forAccount({ accountId, region });
  await kinesis.send(
    new CreateStreamCommand({ StreamName: name, ShardCount: 1 }),
  );
  await kinesis.send(
    new AddTagsToStreamCommand({
      StreamName: name,
      Tags: { owner: 'Network Team' },
    }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-write`,
      PolicyDocument: JSON.stringify(
        buildPermissionsPolicy(streamArnOf(region, accountId, name)),
      ),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(
        buildTrustPolicy({
          principalArn: DEFAULT_METER_PRINCIPAL_ARN,
          externalId: 'f'.repeat(64),
        }),
      ),
    }),
  );
  await iam.send(
    new AttachRolePolicyCommand({ RoleName: name, PolicyArn: Policy!.Arn }),
  );
}

/** One provider sync; the integration entity it emits. */
async function sync(): Promise<Entity> {
  const entities = await syncWithConfig({
    aws,
    catalog: {
      providers: {
        meterSiem: { regions: [region], accounts: [{ accountId }] },
      },
    },
  });
  return entities.find(e => e.spec?.type === 'meter-siem-integration')!;
}

function rulesFired(entity: Entity): string[] {
  const facts = parseAuditFacts(
    entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
  )!;
  return auditIntegration(facts, {
    tagKeys: settings.tagKeys,
    requiredTags: [settings.tagKeys.owner, settings.tagKeys.environment],
    allowedValues: {},
    knownOwners: new Set(['group:default/network']),
  }).map(f => `${f.ruleId}:${f.resource}`);
}

describe('template meter-siem-fix-ownership-tags', () => {
  it('clears the ownership findings on the next sync, and only those', async () => {
    await seedHandMade('MeterSIEMStream');
    const before = await sync();
    expect(rulesFired(before).sort()).toEqual([
      'no-silence-alarm:stream',
      'owner-tag-missing:role',
      'owner-unknown:stream',
      'required-tag-missing:role',
      'required-tag-missing:stream',
      'unmanaged:integration',
    ]);

    const scaffolder = await startScaffolder([], {
      entities: [before, network],
      config: { aws, meterSiem: { adminGroup: 'group:default/platform' } },
    });
    try {
      const values = {
        integration: `resource:default/${before.metadata.name}`,
        owner: 'group:default/network',
        environment: 'production',
      };
      // Owned by nobody yet (the fallback owner): Jane may not take it...
      expect(before.spec?.owner).toBe('group:default/unowned');
      const refused = await scaffolder.run(
        values,
        'template:default/meter-siem-fix-ownership-tags',
        JANE,
      );
      expect(refused.task?.status).toBe('failed');
      expect(JSON.stringify(refused.events)).toContain(
        'user:default/jane.doe is not a member of group:default/unowned',
      );
      expect(rulesFired(await sync())).toEqual(rulesFired(before));

      // ...the admin group (platform) may hand it to its team.
      const result = await scaffolder.run(
        values,
        'template:default/meter-siem-fix-ownership-tags',
        ALEX,
      );
      expect(result.status).toBe(201);
      expect(result.task?.status).toBe('completed');
    } finally {
      await scaffolder.backend.stop();
    }

    const after = await sync();
    expect(after.spec?.owner).toBe('group:default/network');
    // Provenance is a fact about how it was made; tags do not change it.
    // Tags only: the missing alarm is the alarm template's to fix.
    expect(rulesFired(after)).toEqual([
      'no-silence-alarm:stream',
      'unmanaged:integration',
    ]);
  });
});
