import {
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { ANNOTATIONS, integrationEntityName } from './annotations';
import { parseAuditFacts } from './audit';
import {
  IntegrationFacts,
  ResourceEntity,
  buildIntegrationEntities,
  isProviderEmitted,
} from './entities';
import { buildTrustPolicy } from './policies';
import { resolveSettings } from './settings';

const settings = resolveSettings();
const options = { settings, fallbackOwner: 'group:default/unowned' };
const account = '210987654321';
const externalId = 'a'.repeat(24) + 'f00dfeed'.repeat(5);
const streamArn = `arn:aws:kinesis:eu-west-1:${account}:stream/meter-siem-office`;

const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);

async function expectValid(entities: ResourceEntity[]) {
  for (const entity of entities) {
    await expect(policy.enforce(entity as Entity)).resolves.toBeDefined();
    await expect(
      resourceEntityV1alpha1Validator.check(entity as Entity),
    ).resolves.toBe(true);
  }
}

function templateMade(
  overrides: Partial<IntegrationFacts> = {},
): IntegrationFacts {
  const tags = {
    owner: 'group:default/network',
    environment: 'production',
    'managed-by': 'backstage',
    'meter-siem-integration': 'office',
    'cost-center': 'CC 42/Security',
  };
  return {
    accountId: account,
    region: 'eu-west-1',
    role: {
      arn: `arn:aws:iam::${account}:role/meter-siem-office`,
      name: 'meter-siem-office',
      tags,
      trustPolicy: buildTrustPolicy({
        principalArn: settings.meterPrincipalArn,
        externalId,
      }),
    },
    policy: {
      arn: `arn:aws:iam::${account}:policy/meter-siem-office-kinesis-write`,
      name: 'meter-siem-office-kinesis-write',
    },
    streamArn,
    stream: {
      name: 'meter-siem-office',
      tags,
      status: 'ACTIVE',
      capacityMode: 'PROVISIONED',
      openShardCount: 1,
      retentionHours: 24,
      encryptionType: 'KMS',
      keyId: 'alias/aws/kinesis',
      enhancedMetrics: ['IncomingRecords', 'IncomingBytes'],
    },
    ...overrides,
  };
}

function handMade(): IntegrationFacts {
  return {
    accountId: account,
    region: 'us-east-1',
    role: {
      arn: `arn:aws:iam::${account}:role/MeterSIEMIntegrationRole`,
      name: 'MeterSIEMIntegrationRole',
      tags: {},
      trustPolicy: buildTrustPolicy({
        principalArn: settings.meterPrincipalArn,
        externalId,
      }),
    },
    policy: {
      arn: `arn:aws:iam::${account}:policy/MeterSIEMKinesisWritePolicy`,
      name: 'MeterSIEMKinesisWritePolicy',
    },
    streamArn: `arn:aws:kinesis:us-east-1:${account}:stream/meter-siem-events`,
    stream: {
      name: 'meter-siem-events',
      tags: {},
      status: 'ACTIVE',
      capacityMode: 'ON_DEMAND',
      openShardCount: 4,
      retentionHours: 48,
      encryptionType: 'NONE',
      enhancedMetrics: [],
    },
  };
}

describe('buildIntegrationEntities', () => {
  it('builds a valid integration depending on its stream, role and policy', async () => {
    const entities = buildIntegrationEntities([templateMade()], options);
    await expectValid(entities);
    const [integration, stream, role, managedPolicy] = entities;

    expect(entities.map(e => [e.metadata.name, e.spec.type])).toEqual([
      [`office-${account}`, 'meter-siem-integration'],
      [`office-${account}-stream`, 'kinesis-stream'],
      [`office-${account}-role`, 'aws-iam-role'],
      [`office-${account}-policy`, 'aws-iam-policy'],
    ]);
    expect(integration.spec).toEqual({
      type: 'meter-siem-integration',
      owner: 'group:default/network',
      dependsOn: [
        `resource:default/${stream.metadata.name}`,
        `resource:default/${role.metadata.name}`,
        `resource:default/${managedPolicy.metadata.name}`,
      ],
    });
    expect(integration.metadata.annotations).toMatchObject({
      [ANNOTATIONS.streamArn]: streamArn,
      [ANNOTATIONS.roleArn]: `arn:aws:iam::${account}:role/meter-siem-office`,
      [ANNOTATIONS.policyArn]: `arn:aws:iam::${account}:policy/meter-siem-office-kinesis-write`,
      [ANNOTATIONS.accountId]: account,
      [ANNOTATIONS.region]: 'eu-west-1',
      [ANNOTATIONS.environment]: 'production',
      [ANNOTATIONS.managedBy]: 'backstage',
      [ANNOTATIONS.streamStatus]: 'ACTIVE',
      [ANNOTATIONS.capacityMode]: 'PROVISIONED',
      [ANNOTATIONS.shardCount]: '1',
      [ANNOTATIONS.retentionHours]: '24',
      [ANNOTATIONS.encryption]: 'KMS_AWS_MANAGED',
      [ANNOTATIONS.enhancedMetrics]: 'IncomingBytes,IncomingRecords',
      'backstage.io/managed-by-location': `meter-siem-aws:${integration.metadata.links[0].url}`,
      'backstage.io/managed-by-origin-location': `meter-siem-aws:${integration.metadata.links[0].url}`,
    });
    expect(integration.metadata.links.map(l => l.url)).toEqual([
      'https://eu-west-1.console.aws.amazon.com/kinesis/home?region=eu-west-1#/streams/details/meter-siem-office/details',
      'https://console.aws.amazon.com/iam/home#/roles/details/meter-siem-office',
      `https://console.aws.amazon.com/iam/home#/policies/details/${encodeURIComponent(
        `arn:aws:iam::${account}:policy/meter-siem-office-kinesis-write`,
      )}`,
    ]);
    expect(stream.metadata.annotations[ANNOTATIONS.streamArn]).toBe(streamArn);
    expect(role.metadata.annotations[ANNOTATIONS.roleArn]).toBe(
      `arn:aws:iam::${account}:role/meter-siem-office`,
    );
  });

  it('builds the stream, role and policy entities alike, each linking to its console page', () => {
    const gov = (arn: string) =>
      arn
        .replace('arn:aws:', 'arn:aws-us-gov:')
        .replace('eu-west-1', 'us-gov-west-1');
    const facts = templateMade();
    facts.region = 'us-gov-west-1';
    facts.streamArn = gov(facts.streamArn!);
    facts.role = {
      ...facts.role!,
      arn: gov(facts.role!.arn),
      tags: { ...facts.role!.tags, system: 'siem' },
    };
    facts.policy = { ...facts.policy!, arn: gov(facts.policy!.arn) };
    const [integration, ...parts] = buildIntegrationEntities([facts], options);
    const host = 'console.amazonaws-us-gov.com';
    const arns = [facts.streamArn, facts.role.arn, facts.policy.arn];
    const urls = [
      `https://us-gov-west-1.${host}/kinesis/home?region=us-gov-west-1#/streams/details/meter-siem-office/details`,
      `https://${host}/iam/home#/roles/details/meter-siem-office`,
      `https://${host}/iam/home#/policies/details/${encodeURIComponent(
        facts.policy.arn,
      )}`,
    ];
    expect(integration.metadata.links.map(l => l.url)).toEqual(urls);
    expect(
      parts.map(part => ({
        name: part.metadata.name,
        spec: part.spec,
        arn: Object.entries(part.metadata.annotations).find(([key]) =>
          [
            ANNOTATIONS.streamArn,
            ANNOTATIONS.roleArn,
            ANNOTATIONS.policyArn,
          ].includes(key as any),
        ),
        region: part.metadata.annotations[ANNOTATIONS.region],
        location: part.metadata.annotations['backstage.io/managed-by-location'],
        links: part.metadata.links,
      })),
    ).toEqual(
      (['stream', 'role', 'policy'] as const).map((kind, i) => ({
        name: `office-${account}-${kind}`,
        spec: {
          type: {
            stream: 'kinesis-stream',
            role: 'aws-iam-role',
            policy: 'aws-iam-policy',
          }[kind],
          owner: 'group:default/network',
          system: 'system:default/siem',
        },
        arn: [ANNOTATIONS[`${kind}Arn`], arns[i]],
        region: 'us-gov-west-1',
        location: `meter-siem-aws:${urls[i]}`,
        links: [
          {
            url: urls[i],
            title: `${
              {
                stream: 'Kinesis stream',
                role: 'IAM role',
                policy: 'IAM policy',
              }[kind]
            } in the AWS console`,
            icon: 'cloud',
          },
        ],
      })),
    );
  });

  it('tags readably: the environment, never the owner or system the spec holds', async () => {
    const facts = templateMade();
    facts.stream!.tags = { ...facts.stream!.tags, System: 'siem' };
    const entities = buildIntegrationEntities([facts], options);
    await expectValid(entities);
    for (const entity of entities) {
      expect(entity.metadata.tags).toEqual(['meter-siem', 'aws', 'production']);
    }
    const [integration, stream, , managedPolicy] = entities;
    expect(integration.spec).toMatchObject({
      owner: 'group:default/network',
      system: 'system:default/siem',
    });
    // The other AWS tags, the extra ones too, are labels.
    expect(integration.metadata.labels).toEqual({
      'cost-center': 'CC-42-Security',
      environment: 'production',
      'managed-by': 'backstage',
      'meter-siem-integration': 'office',
    });
    expect(stream.metadata.labels).toEqual(integration.metadata.labels);
    expect(managedPolicy.metadata.labels).toEqual({});
  });

  it('makes a readable tag of any environment, and none without one', async () => {
    const facts = handMade();
    facts.stream!.tags = { Environment: 'Pre Production/EU' };
    const [integration] = buildIntegrationEntities([facts], options);
    expect(integration.metadata.tags).toEqual([
      'meter-siem',
      'aws',
      'pre-production-eu',
    ]);
    expect(
      buildIntegrationEntities([handMade()], options)[0].metadata.tags,
    ).toEqual(['meter-siem', 'aws']);
  });

  it('titles the parts by their kind, so the relation graph tells them apart', () => {
    const entities = buildIntegrationEntities([templateMade()], options);
    expect(entities.map(e => e.metadata.title)).toEqual([
      'office',
      'Kinesis stream meter-siem-office',
      'IAM role meter-siem-office',
      'IAM policy meter-siem-office-kinesis-write',
    ]);
  });

  it('fits tags and labels with any characters AWS allows', async () => {
    const odd = {
      'aws:cloudformation:stack-name': 'x'.repeat(200),
      '  spaced key ': '@value with spaces@',
      'ünïcode/ключ': 'значение',
    };
    const entities = buildIntegrationEntities(
      [
        templateMade({
          role: { ...templateMade().role!, tags: odd },
          stream: { ...templateMade().stream!, tags: {} },
        }),
      ],
      options,
    );
    await expectValid(entities);
    expect(Object.keys(entities[0].metadata.labels)).toEqual([
      'spaced-key',
      'aws-cloudformation-stack-name',
      'n-code',
    ]);
  });

  it('builds an integration made by hand, owned by the fallback owner', async () => {
    const entities = buildIntegrationEntities([handMade()], options);
    await expectValid(entities);
    const [integration] = entities;

    expect(integration.metadata.name).toBe(
      `MeterSIEMIntegrationRole-${account}`,
    );
    expect(integration.spec.owner).toBe('group:default/unowned');
    expect(integration.metadata.annotations).toMatchObject({
      [ANNOTATIONS.capacityMode]: 'ON_DEMAND',
      [ANNOTATIONS.shardCount]: '4',
      [ANNOTATIONS.encryption]: 'NONE',
      [ANNOTATIONS.enhancedMetrics]: '',
    });
    expect(integration.metadata.annotations).not.toHaveProperty(
      ANNOTATIONS.managedBy,
    );
  });

  it('never puts the external ID in any entity', () => {
    const entities = buildIntegrationEntities(
      [templateMade(), handMade()],
      options,
    );
    expect(JSON.stringify(entities)).not.toContain(externalId);
    expect(entities[0].metadata.description).toContain(
      'external ID is in the trust relationships',
    );
    // The audit facts record only that the trust requires an external ID.
    const audit = parseAuditFacts(
      entities[0].metadata.annotations[ANNOTATIONS.auditFacts],
    );
    expect(audit?.trust).toEqual({
      trustsMeter: true,
      hasExternalIdCondition: true,
    });
    expect(
      entities[0].metadata.annotations[ANNOTATIONS.auditFacts],
    ).not.toContain(externalId);
  });

  it('builds an integration for a stream whose role is gone', async () => {
    const { role: _role, policy: _policy, ...facts } = templateMade();
    const entities = buildIntegrationEntities([facts], options);
    await expectValid(entities);
    expect(entities.map(e => e.metadata.name)).toEqual([
      `office-${account}`,
      `office-${account}-stream`,
    ]);
    const [integration] = entities;
    expect(integration.spec.owner).toBe('group:default/network');
    expect(integration.metadata.annotations).not.toHaveProperty(
      ANNOTATIONS.roleArn,
    );
    expect(integration.metadata.links).toHaveLength(1);
    expect(integration.metadata.description).toContain(
      'No role trusted by Meter writes to this stream',
    );
    expect(
      parseAuditFacts(integration.metadata.annotations[ANNOTATIONS.auditFacts]),
    ).toEqual({ streamArn, streamTags: facts.stream!.tags });
  });

  it('points out a role that requires no external ID, without saying where to find one', () => {
    const facts = handMade();
    facts.role!.trustPolicy.Statement[0].Condition = undefined;
    const [integration] = buildIntegrationEntities([facts], options);
    expect(integration.metadata.description).toContain(
      "Role MeterSIEMIntegrationRole requires no external ID: anyone acting as Meter's principal may assume it without an external ID.",
    );
    expect(integration.metadata.description).not.toMatch(
      /trust relationships|sts:ExternalId/,
    );
  });

  it('says a statement lets Meter in without the external ID another requires', () => {
    const facts = handMade();
    const [statement] = facts.role!.trustPolicy.Statement;
    facts.role!.trustPolicy.Statement.push({
      ...statement,
      Condition: undefined,
    });
    const [integration] = buildIntegrationEntities([facts], options);
    expect(integration.metadata.description).toContain(
      'Role MeterSIEMIntegrationRole does not always require its external ID',
    );
    expect(integration.metadata.description).not.toContain(
      'trust relationships',
    );
  });

  it('says there is no single external ID for a pattern condition', () => {
    const facts = handMade();
    facts.role!.trustPolicy.Statement[0].Condition = {
      StringLike: { 'sts:ExternalId': 'meter-*' },
    };
    const [integration] = buildIntegrationEntities([facts], options);
    expect(integration.metadata.description).toContain(
      'requires an external ID matching its trust policy',
    );
    expect(integration.metadata.description).not.toContain(
      'trust relationships',
    );
  });

  it('resolves the owner from the stream, then the role, then the fallback', () => {
    const owner = (streamOwner?: string, roleOwner?: string) => {
      const facts = handMade();
      if (streamOwner) facts.stream!.tags.owner = streamOwner;
      if (roleOwner) facts.role!.tags.owner = roleOwner;
      return buildIntegrationEntities([facts], options).map(e => e.spec.owner);
    };
    expect(owner('security', 'group:default/network')).toEqual(
      Array(4).fill('group:default/security'),
    );
    expect(owner(undefined, 'user:jane')).toEqual(
      Array(4).fill('user:default/jane'),
    );
    expect(owner('Network Team', undefined)).toEqual(
      Array(4).fill('group:default/unowned'),
    );
  });

  describe("tags written in Meter's guide's style (Owner, Environment)", () => {
    const guide = {
      Owner: 'group:default/security',
      Environment: 'Production',
      System: 'siem',
      'Managed-By': 'backstage',
    };
    const integrationOf = (
      streamTags: Record<string, string>,
      roleTags: Record<string, string> = {},
    ) => {
      const facts = handMade();
      facts.stream!.tags = streamTags;
      facts.role!.tags = roleTags;
      return buildIntegrationEntities([facts], options)[0];
    };

    it('reads the policy keys whatever their case', () => {
      const integration = integrationOf(guide);
      expect(integration.spec.owner).toBe('group:default/security');
      expect(integration.spec.system).toBe('system:default/siem');
      expect(integration.metadata.annotations).toMatchObject({
        [ANNOTATIONS.environment]: 'Production',
        [ANNOTATIONS.managedBy]: 'backstage',
      });
    });

    it('reads the owner from the role in any case too', () => {
      expect(integrationOf({}, { OWNER: 'user:jane' }).spec.owner).toBe(
        'user:default/jane',
      );
    });

    it('reads no other key as a policy key: ManagedBy is not managed-by', () => {
      const integration = integrationOf({
        OwnerTeam: 'group:default/security',
        ManagedBy: 'Security Team',
        Env: 'Production',
      });
      expect(integration.spec.owner).toBe('group:default/unowned');
      expect(
        integration.metadata.annotations[ANNOTATIONS.managedBy],
      ).toBeUndefined();
      expect(
        integration.metadata.annotations[ANNOTATIONS.environment],
      ).toBeUndefined();
    });

    it("lets the stream's tags win over the role's, whatever the case of either", () => {
      const integration = integrationOf(guide, {
        owner: 'group:default/network',
        environment: 'staging',
        system: 'other',
        'managed-by': 'terraform',
      });
      expect(integration.spec.owner).toBe('group:default/security');
      expect(integration.spec.system).toBe('system:default/siem');
      expect(integration.metadata.annotations).toMatchObject({
        [ANNOTATIONS.environment]: 'Production',
        [ANNOTATIONS.managedBy]: 'backstage',
      });
    });

    it('prefers the exact key when a resource carries both spellings', () => {
      const integration = integrationOf({
        Environment: 'Production',
        environment: 'staging',
      });
      expect(integration.metadata.annotations[ANNOTATIONS.environment]).toBe(
        'staging',
      );
    });
  });

  it('sets the system from the system tag', async () => {
    const facts = templateMade();
    facts.stream!.tags = { ...facts.stream!.tags, system: 'network' };
    const entities = buildIntegrationEntities([facts], options);
    await expectValid(entities);
    expect(entities[0].spec.system).toBe('system:default/network');
  });

  it('keeps the integration and its role when the stream is gone', async () => {
    const entities = buildIntegrationEntities(
      [templateMade({ stream: undefined })],
      options,
    );
    await expectValid(entities);
    expect(entities.map(e => e.spec.type)).toEqual([
      'meter-siem-integration',
      'aws-iam-role',
      'aws-iam-policy',
    ]);
    expect(entities[0].metadata.annotations[ANNOTATIONS.streamStatus]).toBe(
      'NOT_FOUND',
    );
  });

  it('names one integration per stream when a role may write to several', async () => {
    const second = templateMade({
      streamArn: `arn:aws:kinesis:eu-west-1:${account}:stream/other`,
      stream: { ...templateMade().stream!, name: 'other' },
      policy: undefined,
    });
    const entities = buildIntegrationEntities(
      [templateMade(), second],
      options,
    );
    await expectValid(entities);
    expect(
      entities
        .filter(e => e.spec.type === 'meter-siem-integration')
        .map(e => e.metadata.name),
    ).toEqual([
      // The template's own stream keeps the name its run announced.
      `office-${account}`,
      `office-other-${account}`,
    ]);
    expect(new Set(entities.map(e => e.metadata.name)).size).toBe(
      entities.length,
    );
  });

  it('shortens long role names to valid, distinct entity names', async () => {
    const long = (suffix: string) => {
      const facts = handMade();
      const name = `${'VeryLongHandMadeRoleName'.repeat(2)}${suffix}`;
      facts.role = {
        ...facts.role!,
        name,
        arn: `arn:aws:iam::${account}:role/${name}`,
      };
      facts.streamArn = `${facts.streamArn}${suffix}`;
      return facts;
    };
    const entities = buildIntegrationEntities([long('A'), long('B')], options);
    await expectValid(entities);
    expect(new Set(entities.map(e => e.metadata.name)).size).toBe(
      entities.length,
    );
  });

  it('has no policy entity for inline policies', async () => {
    const entities = buildIntegrationEntities(
      [templateMade({ policy: undefined })],
      options,
    );
    await expectValid(entities);
    expect(entities[0].spec.dependsOn).toEqual([
      `resource:default/office-${account}-stream`,
      `resource:default/office-${account}-role`,
    ]);
    expect(entities[0].metadata.links).toHaveLength(2);
  });
});

describe('isProviderEmitted', () => {
  const at = (location: string, origin = location) => ({
    metadata: {
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': origin,
      },
    },
  });

  it('accepts what the provider emits', () => {
    const [integration] = buildIntegrationEntities(
      [
        {
          accountId: '123456789012',
          region: 'us-east-1',
          streamArn:
            'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-x',
          stream: { name: 'meter-siem-x', tags: {} },
        },
      ],
      { settings: resolveSettings(), fallbackOwner: 'group:default/x' },
    );
    expect(isProviderEmitted(integration)).toBe(true);
  });

  it('refuses entities from registered files and URLs', () => {
    expect(isProviderEmitted(at('url:https://example.com/x.yaml'))).toBe(false);
    expect(isProviderEmitted(at('file:/tmp/x.yaml'))).toBe(false);
    expect(
      isProviderEmitted(at('meter-siem-aws:x', 'url:https://example.com')),
    ).toBe(false);
    expect(isProviderEmitted({ metadata: {} })).toBe(false);
  });
});

describe('integrations without a stream', () => {
  const streamless = (): IntegrationFacts => {
    const { streamArn: _, stream, region, ...rest } = templateMade();
    return rest;
  };

  it('makes one integration of a role whose policies name no stream', async () => {
    const entities = buildIntegrationEntities([streamless()], options);
    await expectValid(entities);
    expect(entities.map(e => e.metadata.name)).toEqual([
      `office-${account}`,
      `office-${account}-role`,
      `office-${account}-policy`,
    ]);
    const [integration] = entities;
    const annotations = integration.metadata.annotations;
    expect(annotations).not.toHaveProperty(ANNOTATIONS.streamArn);
    expect(annotations).not.toHaveProperty(ANNOTATIONS.region);
    expect(annotations).not.toHaveProperty(ANNOTATIONS.streamStatus);
    expect(annotations[ANNOTATIONS.roleArn]).toBe(
      `arn:aws:iam::${account}:role/meter-siem-office`,
    );
    expect(integration.metadata.description).toBe(
      `Meter SIEM integration of role meter-siem-office in account ${account}, whose policies name no particular Kinesis stream. The external ID is in the trust relationships of role meter-siem-office.`,
    );
    expect(integration.metadata.links.map(l => l.url)).toEqual([
      'https://console.aws.amazon.com/iam/home#/roles/details/meter-siem-office',
      `https://console.aws.amazon.com/iam/home#/policies/details/arn%3Aaws%3Aiam%3A%3A${account}%3Apolicy%2Fmeter-siem-office-kinesis-write`,
    ]);
    const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts]);
    expect(facts).toBeDefined();
    expect(facts).not.toHaveProperty('streamArn');
    expect(JSON.stringify(entities)).not.toContain(externalId);
  });

  it('tells a role without a stream from a stream of the same name', () => {
    const { role, policy: _, ...orphan } = templateMade();
    const names = buildIntegrationEntities([streamless(), orphan], options)
      .filter(e => e.spec.type === 'meter-siem-integration')
      .map(e => e.metadata.name);
    expect(names).toEqual([
      `office-meter-siem-office-role-${account}`,
      `office-meter-siem-office-${account}`,
    ]);
  });

  it('makes one integration of roles and policies left behind', async () => {
    const tags = {
      owner: 'group:default/network',
      environment: 'staging',
      'managed-by': 'backstage',
      'meter-siem-integration': 'old',
    };
    const policyArn = `arn:aws:iam::${account}:policy/meter-siem-old-kinesis-write`;
    const entities = buildIntegrationEntities(
      [
        {
          accountId: account,
          leftBehind: [
            {
              kind: 'policy',
              arn: policyArn,
              name: 'meter-siem-old-kinesis-write',
              tags,
            },
          ],
        },
      ],
      options,
    );
    await expectValid(entities);
    expect(entities).toHaveLength(1);
    const [integration] = entities;
    expect(integration.metadata.name).toBe(`old-${account}`);
    expect(integration.spec).toEqual({
      type: 'meter-siem-integration',
      owner: 'group:default/network',
      dependsOn: [],
    });
    expect(integration.metadata.annotations).toMatchObject({
      [ANNOTATIONS.environment]: 'staging',
      [ANNOTATIONS.managedBy]: 'backstage',
    });
    expect(integration.metadata.description).toBe(
      `What is left of Meter SIEM integration old in account ${account}: IAM resources Backstage created that no working integration uses. No role trusted by Meter is part of it. Left behind: policy meter-siem-old-kinesis-write.`,
    );
    expect(integration.metadata.links).toEqual([
      {
        url: `https://console.aws.amazon.com/iam/home#/policies/details/${encodeURIComponent(
          policyArn,
        )}`,
        title: 'IAM policy left behind, in the AWS console',
        icon: 'cloud',
      },
    ]);
    expect(
      parseAuditFacts(integration.metadata.annotations[ANNOTATIONS.auditFacts]),
    ).toEqual({
      leftBehind: [{ resource: 'policy', arn: policyArn, integration: 'old' }],
    });
  });
});

describe('integration names', () => {
  const trustPolicy = buildTrustPolicy({
    principalArn: settings.meterPrincipalArn,
    externalId: 'a'.repeat(64),
  });
  const inRegion = (region: string, roleName = 'MeterRole') => ({
    accountId: '123456789012',
    region,
    streamArn: `arn:aws:kinesis:${region}:123456789012:stream/meter-siem-hq`,
    stream: { name: 'meter-siem-hq', tags: {} },
    role: {
      arn: `arn:aws:iam::123456789012:role/${roleName}`,
      name: roleName,
      tags: { 'meter-siem-integration': 'hq' },
      trustPolicy,
    },
  });

  it('keeps integrations with the same name in two regions of an account apart', () => {
    const entities = buildIntegrationEntities(
      [inRegion('us-east-1'), inRegion('eu-west-1', 'OtherRole')],
      { settings, fallbackOwner: 'group:default/x' },
    );
    const names = entities.map(e => e.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    const integrations = entities.filter(
      e => e.spec.type === 'meter-siem-integration',
    );
    expect(integrations.map(e => e.metadata.name)).toEqual([
      expect.stringMatching(
        /^hq-meter-siem-hq-us-east-1-[0-9a-f]{8}-123456789012$/,
      ),
      expect.stringMatching(
        /^hq-meter-siem-hq-eu-west-1-[0-9a-f]{8}-123456789012$/,
      ),
    ]);
  });

  it("keeps the template's own integration at the name its run announced", () => {
    // The template made meter-siem-hq in us-east-1 (its register step
    // announced resource:default/hq-123456789012); a hand-made integration
    // in eu-west-1 carries the same integration tag.
    const made = {
      ...inRegion('us-east-1', 'meter-siem-hq'),
      role: {
        ...inRegion('us-east-1', 'meter-siem-hq').role,
        tags: { 'meter-siem-integration': 'hq', 'managed-by': 'backstage' },
      },
    };
    const entities = buildIntegrationEntities(
      [inRegion('eu-west-1', 'OtherRole'), made],
      { settings, fallbackOwner: 'group:default/x' },
    );
    const integrations = entities.filter(
      e => e.spec.type === 'meter-siem-integration',
    );
    expect(integrations.map(e => e.metadata.name)).toEqual([
      'hq-meter-siem-hq-123456789012',
      integrationEntityName('hq', '123456789012'),
    ]);
    const names = entities.map(e => e.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('leaves a name alone when nothing clashes with it', () => {
    const [integration] = buildIntegrationEntities([inRegion('us-east-1')], {
      settings,
      fallbackOwner: 'group:default/x',
    });
    expect(integration.metadata.name).toBe('hq-123456789012');
  });
});
