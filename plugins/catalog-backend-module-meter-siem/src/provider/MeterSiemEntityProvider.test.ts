import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateRoleCommand,
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  ANNOTATIONS,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
  IntegrationCreatedEvent,
  IntegrationRemovedEvent,
  INTEGRATIONS_SYNCED_TOPIC,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  SeededIntegration,
  awsConfig,
  configureStream,
  deleteIntegration,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from '../__testUtils__/moto';
import { catalogOf } from '../__testUtils__/catalog';
import { MeterSiemEntityProvider } from './MeterSiemEntityProvider';

requireMoto();
jest.setTimeout(60_000);

const REGIONS = ['us-east-1', 'eu-west-1'];

function setUp(
  accounts: Array<{ accountId: string; configured?: boolean }>,
  providerConfig: object = {},
) {
  const logger = mockServices.logger.mock();
  // Providers log through a child logger; let the test see its calls.
  logger.child.mockReturnValue(logger);
  const events = mockServices.events();
  const config = new ConfigReader({
    aws: awsConfig(
      accounts.filter(a => a.configured !== false).map(a => a.accountId),
    ),
    catalog: {
      providers: {
        meterSiem: {
          regions: REGIONS,
          accounts: accounts.map(({ accountId }) => ({ accountId })),
          ...providerConfig,
        },
      },
    },
  });
  const providers = MeterSiemEntityProvider.fromConfig(config, {
    logger,
    scheduler: mockServices.scheduler.mock(),
    events,
  });
  const connect = async (provider: MeterSiemEntityProvider) => {
    const connection = {
      applyMutation: jest.fn(),
      refresh: jest.fn(),
    } satisfies EntityProviderConnection;
    await provider.connect(connection);
    return connection;
  };
  return { logger, events, providers, connect };
}

function byName(entities: Entity[], name: string): Entity {
  const entity = entities.find(e => e.metadata.name === name);
  if (!entity) {
    throw new Error(
      `no entity ${name} among ${entities
        .map(e => e.metadata.name)
        .join(', ')}`,
    );
  }
  return entity;
}

/**
 * Runs a sync that is held right after it read IAM (before the role of
 * whatever `meanwhile` makes exists), runs `meanwhile`, then lets the sync
 * finish and waits for it.
 */
async function whileSyncHeldAfterIamRead(
  provider: MeterSiemEntityProvider,
  meanwhile: () => Promise<void>,
) {
  let listed!: () => void;
  let release!: () => void;
  const iamRead = new Promise<void>(resolve => (listed = resolve));
  const gate = new Promise<void>(resolve => (release = resolve));
  const send: (command: unknown) => Promise<unknown> = IAMClient.prototype
    .send as never;
  const spy = jest
    .spyOn(IAMClient.prototype, 'send')
    .mockImplementation(async function hold(this: IAMClient, command: any) {
      const output = await send.call(this, command);
      if (command instanceof GetAccountAuthorizationDetailsCommand) {
        listed();
        await gate;
      }
      return output;
    } as never);
  try {
    const sync = provider.refresh();
    await iamRead;
    await meanwhile();
    release();
    await sync;
  } finally {
    spy.mockRestore();
  }
}

describe('MeterSiemEntityProvider against moto', () => {
  const accountId = freshAccountId();
  let templateMade: SeededIntegration;
  let handMade: SeededIntegration;
  let bareOwner: SeededIntegration;

  beforeAll(async () => {
    const eu = await seedClients(accountId, 'eu-west-1');
    templateMade = await seedIntegration(eu, {
      region: 'eu-west-1',
      streamName: 'meter-siem-office',
      roleName: 'meter-siem-office',
      policyName: 'meter-siem-office-kinesis-write',
      tags: {
        owner: 'group:default/network',
        environment: 'production',
        'managed-by': 'backstage',
        'meter-siem-integration': 'office',
        system: 'network-security',
      },
    });
    await configureStream(eu, 'eu-west-1', 'meter-siem-office');

    const us = await seedClients(accountId, 'us-east-1');
    handMade = await seedIntegration(us, {
      region: 'us-east-1',
      streamName: 'meter-siem-events',
      roleName: 'MeterSIEMIntegrationRole',
      policyName: 'MeterSIEMKinesisWritePolicy',
      onDemand: true,
    });
    bareOwner = await seedIntegration(us, {
      region: 'us-east-1',
      streamName: 'meter-siem-lab',
      roleName: 'meter-siem-lab',
      policyName: 'meter-siem-lab-kinesis-write',
      tags: { owner: 'security', 'meter-siem-integration': 'lab' },
      inlinePolicy: true,
    });
    await us.iam.send(
      new CreateRoleCommand({
        RoleName: 'unrelated-ec2-role',
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
  });

  it('discovers integrations made by the template and by hand', async () => {
    const { providers, connect } = setUp([{ accountId }]);
    expect(providers.map(p => p.getProviderName())).toEqual([
      `MeterSiemEntityProvider:${accountId}`,
    ]);
    const connection = await connect(providers[0]);
    await providers[0].refresh();
    const entities = catalogOf(connection);

    expect(
      entities
        .filter(e => e.spec?.type === 'meter-siem-integration')
        .map(e => [e.metadata.name, e.spec?.owner])
        .sort(),
    ).toEqual([
      [`MeterSIEMIntegrationRole-${accountId}`, 'group:default/unowned'],
      [`lab-${accountId}`, 'group:default/security'],
      [`office-${accountId}`, 'group:default/network'],
    ]);
    expect(entities).toHaveLength(3 + 3 + 2 + 3);
    expect(JSON.stringify(entities)).not.toContain('unrelated-ec2-role');
    for (const { externalId } of [templateMade, handMade, bareOwner]) {
      expect(JSON.stringify(entities)).not.toContain(externalId);
    }

    const office = byName(entities, `office-${accountId}`);
    expect(office.spec).toEqual({
      type: 'meter-siem-integration',
      owner: 'group:default/network',
      system: 'system:default/network-security',
      dependsOn: [
        `resource:default/office-${accountId}-stream`,
        `resource:default/office-${accountId}-role`,
        `resource:default/office-${accountId}-policy`,
      ],
    });
    expect(office.metadata.annotations).toMatchObject({
      [ANNOTATIONS.streamArn]: `arn:aws:kinesis:eu-west-1:${accountId}:stream/meter-siem-office`,
      [ANNOTATIONS.roleArn]: `arn:aws:iam::${accountId}:role/meter-siem-office`,
      [ANNOTATIONS.policyArn]: `arn:aws:iam::${accountId}:policy/meter-siem-office-kinesis-write`,
      [ANNOTATIONS.accountId]: accountId,
      [ANNOTATIONS.region]: 'eu-west-1',
      [ANNOTATIONS.environment]: 'production',
      [ANNOTATIONS.managedBy]: 'backstage',
      [ANNOTATIONS.streamStatus]: 'ACTIVE',
      [ANNOTATIONS.capacityMode]: 'PROVISIONED',
      [ANNOTATIONS.shardCount]: '1',
      [ANNOTATIONS.retentionHours]: '48',
      [ANNOTATIONS.encryption]: 'KMS_AWS_MANAGED',
      [ANNOTATIONS.enhancedMetrics]: 'IncomingBytes,IncomingRecords',
    });
    expect(office.metadata.links?.map(l => l.url)).toEqual([
      'https://eu-west-1.console.aws.amazon.com/kinesis/home?region=eu-west-1#/streams/details/meter-siem-office/details',
      'https://console.aws.amazon.com/iam/home#/roles/details/meter-siem-office',
      `https://console.aws.amazon.com/iam/home#/policies/details/arn%3Aaws%3Aiam%3A%3A${accountId}%3Apolicy%2Fmeter-siem-office-kinesis-write`,
    ]);
    expect(byName(entities, `office-${accountId}-stream`).spec?.type).toBe(
      'kinesis-stream',
    );

    const hand = byName(entities, `MeterSIEMIntegrationRole-${accountId}`);
    expect(hand.metadata.annotations).toMatchObject({
      [ANNOTATIONS.region]: 'us-east-1',
      [ANNOTATIONS.capacityMode]: 'ON_DEMAND',
      [ANNOTATIONS.encryption]: 'NONE',
      [ANNOTATIONS.retentionHours]: '24',
    });
    expect(hand.metadata.annotations).not.toHaveProperty(ANNOTATIONS.managedBy);
    expect(hand.spec?.dependsOn).toHaveLength(3);

    // The inline policy has no ARN, so no policy entity.
    const lab = byName(entities, `lab-${accountId}`);
    expect(lab.spec?.dependsOn).toEqual([
      `resource:default/lab-${accountId}-stream`,
      `resource:default/lab-${accountId}-role`,
    ]);
  });

  it('tells the audit once a sync has applied its entities', async () => {
    const { providers, connect, events } = setUp([{ accountId }]);
    const connection = await connect(providers[0]);
    const heard: Array<{ payload: unknown; mutations: number }> = [];
    await events.subscribe({
      id: 'test-audit',
      topics: [INTEGRATIONS_SYNCED_TOPIC],
      onEvent: async ({ eventPayload }) => {
        heard.push({
          payload: eventPayload,
          mutations: connection.applyMutation.mock.calls.length,
        });
      },
    });
    await providers[0].refresh();
    // After the full mutation, not before: the audit reads what it applied.
    expect(heard).toEqual([
      {
        payload: { provider: `MeterSiemEntityProvider:${accountId}` },
        mutations: 1,
      },
    ]);
  });

  it('drops a deleted integration on the next sync', async () => {
    const account = freshAccountId();
    const clients = await seedClients(account, 'us-east-1');
    const kept = await seedIntegration(clients, {
      region: 'us-east-1',
      streamName: 'meter-siem-kept',
      roleName: 'meter-siem-kept',
      policyName: 'meter-siem-kept-kinesis-write',
    });
    const deleted = await seedIntegration(clients, {
      region: 'us-east-1',
      streamName: 'meter-siem-gone',
      roleName: 'meter-siem-gone',
      policyName: 'meter-siem-gone-kinesis-write',
    });
    const { providers, connect } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);

    await providers[0].refresh();
    expect(catalogOf(connection).map(e => e.metadata.name)).toContain(
      `gone-${account}`,
    );

    await deleteIntegration(clients, 'us-east-1', deleted);
    await providers[0].refresh();
    const names = catalogOf(connection).map(e => e.metadata.name);
    expect(names).toContain(`kept-${account}`);
    expect(names.filter(n => n.startsWith('gone-'))).toEqual([]);
    expect(kept.roleName).toBe('meter-siem-kept');
  });

  it('keeps syncing the other accounts when one fails', async () => {
    const healthy = freshAccountId();
    const broken = freshAccountId();
    await seedIntegration(await seedClients(healthy, 'us-east-1'), {
      region: 'us-east-1',
      streamName: 'meter-siem-ok',
      roleName: 'meter-siem-ok',
      policyName: 'meter-siem-ok-kinesis-write',
    });
    // No credentials are configured for the broken account.
    const { providers, connect, logger } = setUp([
      { accountId: broken, configured: false },
      { accountId: healthy },
    ]);
    const [brokenProvider, healthyProvider] = providers;
    const brokenConnection = await connect(brokenProvider);
    const healthyConnection = await connect(healthyProvider);

    await Promise.all(providers.map(p => p.refresh()));

    expect(brokenConnection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`AWS account ${broken}`),
    );
    expect(catalogOf(healthyConnection).map(e => e.metadata.name)).toContain(
      `ok-${healthy}`,
    );
  });

  it('skips an account that denies access, keeping its entities', async () => {
    const account = freshAccountId();
    const { providers, connect, logger } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const denied = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDenied',
    });
    const send = jest
      .spyOn(IAMClient.prototype, 'send')
      .mockRejectedValue(denied as never);
    try {
      await providers[0].refresh();
    } finally {
      send.mockRestore();
    }
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `AWS account ${account}.*AccessDenied: User is not authorized`,
        ),
      ),
    );
  });

  it('registers a created integration from its event', async () => {
    const account = freshAccountId();
    const { providers, connect, events } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'eu-west-1');
    await seedIntegration(clients, {
      region: 'eu-west-1',
      streamName: 'meter-siem-new',
      roleName: 'meter-siem-new',
      policyName: 'meter-siem-new-kinesis-write',
      tags: { owner: 'group:default/network', 'meter-siem-integration': 'new' },
    });

    const payload: IntegrationCreatedEvent = {
      accountId: account,
      region: 'eu-west-1',
      roleName: 'meter-siem-new',
      streamName: 'meter-siem-new',
    };
    await events.publish({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: payload,
    });

    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const [delta] = connection.applyMutation.mock.calls[0];
    expect(delta.type).toBe('delta');
    expect(delta.removed).toEqual([]);
    expect(
      delta.added.map((d: { entity: Entity }) => d.entity.metadata.name),
    ).toEqual([
      `new-${account}`,
      `new-${account}-stream`,
      `new-${account}-role`,
      `new-${account}-policy`,
    ]);
    expect(delta.added[0].entity.spec.owner).toBe('group:default/network');

    // Events for other accounts are not this provider's.
    await events.publish({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: { ...payload, accountId: freshAccountId() },
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
  });

  it('says why it does not register an integration of an account it does not watch', async () => {
    const account = freshAccountId();
    const stranger = freshAccountId();
    const { providers, connect, events, logger } = setUp([
      { accountId: account },
    ]);
    const connection = await connect(providers[0]);
    await events.publish({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: {
        accountId: stranger,
        region: 'eu-west-1',
        roleName: 'meter-siem-x',
        streamName: 'meter-siem-x',
      },
    });
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `AWS account ${stranger} is not among catalog.providers.meterSiem.accounts`,
      ),
    );
  });

  it('registers an integration in a region outside its configured regions', async () => {
    const account = freshAccountId();
    // Configured for us-east-1 only; the integration is in ap-south-1.
    const { providers, connect, events } = setUp([{ accountId: account }], {
      regions: ['us-east-1'],
    });
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'ap-south-1');
    await seedIntegration(clients, {
      region: 'ap-south-1',
      streamName: 'meter-siem-far',
      roleName: 'meter-siem-far',
      policyName: 'meter-siem-far-kinesis-write',
      tags: { owner: 'group:default/network', 'meter-siem-integration': 'far' },
    });
    await events.publish({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: {
        accountId: account,
        region: 'ap-south-1',
        roleName: 'meter-siem-far',
        streamName: 'meter-siem-far',
      },
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const [delta] = connection.applyMutation.mock.calls[0];
    expect(delta.added[0].entity.metadata.annotations).toMatchObject({
      'meter-siem.io/region': 'ap-south-1',
    });

    // And a full sync finds it through IAM, whatever the configured regions.
    await providers[0].refresh();
    const [full] = connection.applyMutation.mock.calls[1];
    expect(
      full.entities.map((d: { entity: Entity }) => d.entity.metadata.name),
    ).toContain(`far-${account}`);
  });

  it('lists two hand-made integrations of the same name in two regions', async () => {
    const account = freshAccountId();
    const { providers, connect } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    for (const region of ['us-east-1', 'eu-west-1']) {
      await seedIntegration(await seedClients(account, region), {
        region,
        streamName: 'meter-siem-twin',
        roleName: `twin-${region}`,
        policyName: `twin-${region}-write`,
        tags: { 'meter-siem-integration': 'twin' },
      });
    }
    await providers[0].refresh();
    const integrations = catalogOf(connection).filter(
      e => e.spec?.type === 'meter-siem-integration',
    );
    expect(
      integrations
        .map(e => e.metadata.annotations![ANNOTATIONS.streamArn])
        .sort(),
    ).toEqual([
      `arn:aws:kinesis:eu-west-1:${account}:stream/meter-siem-twin`,
      `arn:aws:kinesis:us-east-1:${account}:stream/meter-siem-twin`,
    ]);
    expect(new Set(integrations.map(e => e.metadata.name)).size).toBe(2);
  });

  it('keeps syncing the other regions when one region fails, marking its facts', async () => {
    const account = freshAccountId();
    // Facts never reused: every sync reads every stream.
    const { providers, connect, logger } = setUp([{ accountId: account }], {
      maxFactsAge: { milliseconds: 1 },
    });
    const connection = await connect(providers[0]);
    for (const region of ['us-east-1', 'eu-west-1']) {
      await seedIntegration(await seedClients(account, region), {
        region,
        streamName: `meter-siem-${region}`,
        roleName: `meter-siem-${region}`,
        policyName: `meter-siem-${region}-kinesis-write`,
      });
    }
    await providers[0].refresh();
    const before = byName(catalogOf(connection), `eu-west-1-${account}`);

    const send: (command: unknown) => Promise<unknown> = KinesisClient.prototype
      .send as never;
    const spy = jest
      .spyOn(KinesisClient.prototype, 'send')
      .mockImplementation(async function failEu(
        this: KinesisClient,
        command: any,
      ) {
        if ((await this.config.region()) === 'eu-west-1') {
          throw Object.assign(new Error('User is not authorized'), {
            name: 'AccessDeniedException',
          });
        }
        return send.call(this, command);
      } as never);
    try {
      await providers[0].refresh();
    } finally {
      spy.mockRestore();
    }
    const entities = catalogOf(connection);
    const us = byName(entities, `us-east-1-${account}`);
    const eu = byName(entities, `eu-west-1-${account}`);
    expect(us.metadata.annotations).not.toHaveProperty(ANNOTATIONS.factsError);
    expect(us.metadata.annotations![ANNOTATIONS.streamStatus]).toBe('ACTIVE');
    expect(eu.metadata.annotations![ANNOTATIONS.factsError]).toMatch(
      /^Kinesis in eu-west-1: AccessDeniedException: User is not authorized/,
    );
    // Its facts are as old as the last read, not as this sync.
    expect(eu.metadata.annotations![ANNOTATIONS.factsReadAt]).toBe(
      before.metadata.annotations![ANNOTATIONS.factsReadAt],
    );
    // An unreadable region is not a deleted stream.
    expect(
      JSON.parse(eu.metadata.annotations![ANNOTATIONS.auditFacts]),
    ).toMatchObject({ streamUnreadable: true });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('without one region'),
    );
  });

  it('records when facts were read, and why they could not be read since', async () => {
    const account = freshAccountId();
    const { providers, connect } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'us-east-1');
    await seedIntegration(clients, {
      region: 'us-east-1',
      streamName: 'meter-siem-stale',
      roleName: 'meter-siem-stale',
      policyName: 'meter-siem-stale-kinesis-write',
    });
    const before = Date.now();
    await providers[0].refresh();
    const fresh = byName(catalogOf(connection), `stale-${account}`);
    const readAt = fresh.metadata.annotations![ANNOTATIONS.factsReadAt];
    expect(Date.parse(readAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(fresh.metadata.annotations).not.toHaveProperty(
      ANNOTATIONS.factsError,
    );

    // IAM now denies the sync: the entities stay, with their old read
    // time and the reason.
    const spy = jest.spyOn(IAMClient.prototype, 'send').mockRejectedValue(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDenied',
      }) as never,
    );
    try {
      await providers[0].refresh();
    } finally {
      spy.mockRestore();
    }
    const stale = byName(catalogOf(connection), `stale-${account}`);
    expect(stale.metadata.annotations![ANNOTATIONS.factsReadAt]).toBe(readAt);
    expect(stale.metadata.annotations![ANNOTATIONS.factsError]).toMatch(
      /AccessDenied: User is not authorized/,
    );

    // The next successful sync clears the error.
    await providers[0].refresh();
    expect(
      byName(catalogOf(connection), `stale-${account}`).metadata.annotations,
    ).not.toHaveProperty(ANNOTATIONS.factsError);
  });

  it('keeps an integration registered while a sync was reading AWS', async () => {
    const account = freshAccountId();
    const { providers, connect, events } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'us-east-1');

    // Hold the sync right after it has read IAM, before the role exists.
    await whileSyncHeldAfterIamRead(providers[0], async () => {
      await seedIntegration(clients, {
        region: 'us-east-1',
        streamName: 'meter-siem-race',
        roleName: 'meter-siem-race',
        policyName: 'meter-siem-race-kinesis-write',
      });
      await events.publish({
        topic: INTEGRATION_CREATED_TOPIC,
        eventPayload: {
          accountId: account,
          region: 'us-east-1',
          roleName: 'meter-siem-race',
          streamName: 'meter-siem-race',
        },
      });
    });

    expect(catalogOf(connection).map(e => e.metadata.name)).toContain(
      `race-${account}`,
    );
  });

  it('keeps an integration registered on another replica while its sync was reading AWS', async () => {
    // Another replica ran the template and registered the integration from
    // its own event; this provider hears nothing, and its full sync, which
    // read IAM before the role existed, must not remove it.
    const account = freshAccountId();
    const { providers, connect, logger } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'us-east-1');

    await whileSyncHeldAfterIamRead(providers[0], () =>
      seedIntegration(clients, {
        region: 'us-east-1',
        streamName: 'meter-siem-elsewhere',
        roleName: 'meter-siem-elsewhere',
        policyName: 'meter-siem-elsewhere-kinesis-write',
      }).then(() => undefined),
    );

    // The integration with its stream, role and policy (a hand-made one's
    // names, as it carries no tags).
    const entities = catalogOf(connection).filter(e =>
      e.metadata.name.startsWith('elsewhere-'),
    );
    expect(entities.map(e => e.spec?.type).sort()).toEqual([
      'aws-iam-policy',
      'aws-iam-role',
      'kinesis-stream',
      'meter-siem-integration',
    ]);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it("removes a decommissioned integration's entities at once, and no later full mutation brings them back", async () => {
    const account = freshAccountId();
    const clients = await seedClients(account, 'us-east-1');
    const seed = (name: string) =>
      seedIntegration(clients, {
        region: 'us-east-1',
        streamName: `meter-siem-${name}`,
        roleName: `meter-siem-${name}`,
        policyName: `meter-siem-${name}-kinesis-write`,
        tags: { 'meter-siem-integration': name, 'managed-by': 'backstage' },
      });
    const gone = await seed('gone');
    await seed('stays');
    const { providers, connect, events } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    await providers[0].refresh();
    const parts = ['', '-stream', '-role', '-policy'];
    expect(catalogOf(connection).map(e => e.metadata.name)).toEqual(
      expect.arrayContaining(parts.map(p => `gone-${account}${p}`)),
    );

    await deleteIntegration(clients, 'us-east-1', gone);
    const payload: IntegrationRemovedEvent = {
      accountId: account,
      entityRefs: [
        ...parts.map(p => `resource:default/gone-${account}${p}`),
        // Not entities this provider emits for the account.
        `resource:default/gone-${freshAccountId()}`,
        `resource:default/gone-${account}-dashboard`,
        'group:default/security',
      ],
    };
    // Another account's event is not this provider's.
    const other = freshAccountId();
    await events.publish({
      topic: INTEGRATION_REMOVED_TOPIC,
      eventPayload: {
        accountId: other,
        entityRefs: [`resource:default/gone-${other}`],
      },
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    await events.publish({
      topic: INTEGRATION_REMOVED_TOPIC,
      eventPayload: payload,
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    const [delta] = connection.applyMutation.mock.calls[1];
    expect(delta).toEqual({
      type: 'delta',
      added: [],
      removed: parts.map(p => ({
        entityRef: `resource:default/gone-${account}${p}`,
        locationKey: providers[0].getProviderName(),
      })),
    });

    // A failed sync re-applies what the last one found, less what is gone.
    const denied = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDenied',
    });
    const send = jest
      .spyOn(IAMClient.prototype, 'send')
      .mockRejectedValue(denied as never);
    try {
      await providers[0].refresh();
    } finally {
      send.mockRestore();
    }
    const names = catalogOf(connection).map(e => e.metadata.name);
    expect(names).toContain(`stays-${account}`);
    expect(names.filter(n => n.startsWith('gone-'))).toEqual([]);
  });

  it('does not bring back an integration registered and removed while a sync was reading AWS', async () => {
    const account = freshAccountId();
    const { providers, connect, events } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const clients = await seedClients(account, 'us-east-1');

    await whileSyncHeldAfterIamRead(providers[0], async () => {
      const brief = await seedIntegration(clients, {
        region: 'us-east-1',
        streamName: 'meter-siem-brief',
        roleName: 'meter-siem-brief',
        policyName: 'meter-siem-brief-kinesis-write',
      });
      await events.publish({
        topic: INTEGRATION_CREATED_TOPIC,
        eventPayload: {
          accountId: account,
          region: 'us-east-1',
          roleName: 'meter-siem-brief',
        },
      });
      await deleteIntegration(clients, 'us-east-1', brief);
      await events.publish({
        topic: INTEGRATION_REMOVED_TOPIC,
        eventPayload: {
          accountId: account,
          entityRefs: [
            `resource:default/brief-${account}`,
            `resource:default/brief-${account}-stream`,
            `resource:default/brief-${account}-role`,
            `resource:default/brief-${account}-policy`,
          ],
        },
      });
    });

    const [registered] = connection.applyMutation.mock.calls[0];
    expect(registered.added).toHaveLength(4);
    expect(
      catalogOf(connection).filter(e => e.metadata.name.startsWith('brief-')),
    ).toEqual([]);
  });

  it('commits nothing when the scheduler aborts a sync past its timeout', async () => {
    const account = freshAccountId();
    const { providers, connect, logger } = setUp([{ accountId: account }]);
    const connection = await connect(providers[0]);
    const controller = new AbortController();
    controller.abort();
    await providers[0].refresh(controller.signal);
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/ran past its timeout.*nothing was changed/),
    );
  });
});
