import { IAMClient, TagRoleCommand } from '@aws-sdk/client-iam';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  ANNOTATIONS,
  INTEGRATIONS_SYNCED_TOPIC,
} from '@internal/backstage-plugin-meter-siem-common';
import { catalogOf } from '../__testUtils__/catalog';
import {
  awsConfig,
  deleteIntegration,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from '../__testUtils__/moto';
import {
  FULL_MUTATION_EVERY_MS,
  MeterSiemEntityProvider,
} from './MeterSiemEntityProvider';

requireMoto();
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A replica of the catalog: one account's provider and its connection. */
async function replica(
  accountId: string,
  options: { database?: DatabaseService; now?: () => number } = {},
) {
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const events = mockServices.events();
  const synced: unknown[] = [];
  await events.subscribe({
    id: 'test-audit',
    topics: [INTEGRATIONS_SYNCED_TOPIC],
    onEvent: async ({ eventPayload }) => {
      synced.push(eventPayload);
    },
  });
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader({
      aws: awsConfig([accountId]),
      catalog: {
        providers: {
          meterSiem: { regions: ['us-east-1'], accounts: [{ accountId }] },
        },
      },
    }),
    {
      logger,
      scheduler: mockServices.scheduler.mock(),
      events,
      ...options,
    },
  );
  const connection = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
  await provider.connect(connection);
  const mutations = () =>
    connection.applyMutation.mock.calls.map(([m]) => m.type as string);
  return { provider, connection, logger, synced, mutations };
}

const names = (deferred: Array<{ entity: Entity }>) =>
  deferred.map(d => d.entity.metadata.name).sort();

/** Without the read time, which differs between two syncs. */
function comparable(entities: Entity[]) {
  return entities
    .map(e => {
      const { [ANNOTATIONS.factsReadAt]: _, ...annotations } =
        e.metadata.annotations ?? {};
      return { ...e, metadata: { ...e.metadata, annotations } };
    })
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

async function seedThree(account: string) {
  const clients = await seedClients(account, 'us-east-1');
  const seeded = [];
  for (const name of ['kept', 'moved', 'gone']) {
    seeded.push(
      await seedIntegration(clients, {
        region: 'us-east-1',
        streamName: `meter-siem-${name}`,
        roleName: `meter-siem-${name}`,
        policyName: `meter-siem-${name}-kinesis-write`,
        tags: {
          owner: 'group:default/network',
          'meter-siem-integration': name,
        },
      }),
    );
  }
  return { clients, seeded };
}

describe('MeterSiemEntityProvider, applying only what changed', () => {
  it('applies what changed since its last write, and lands where a full sync would', async () => {
    const account = freshAccountId();
    const { clients, seeded } = await seedThree(account);
    const a = await replica(account);

    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full']);
    expect(a.synced).toHaveLength(1);
    expect(a.logger.info).toHaveBeenLastCalledWith(
      expect.stringContaining(
        'all 12 applied: the first since this process started or failed',
      ),
    );

    // The integrations' facts are now as old as their streams' (read
    // during the first sync, after IAM): only their read time changed.
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta']);
    const [stamped] = a.connection.applyMutation.mock.calls[1];
    expect(names(stamped.added)).toEqual(
      ['gone', 'kept', 'moved'].map(name => `${name}-${account}`),
    );
    expect(stamped.removed).toEqual([]);

    // Nothing changed in AWS: nothing to apply, nothing for the audit.
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta']);
    expect(a.synced).toHaveLength(2);
    expect(a.logger.info).toHaveBeenLastCalledWith(
      expect.stringContaining('0 changed and 0 removed applied'),
    );

    // One integration goes, another's role gets another owner tag.
    await deleteIntegration(clients, 'us-east-1', seeded[2]);
    await clients.iam.send(
      new TagRoleCommand({
        RoleName: 'meter-siem-moved',
        Tags: [{ Key: 'owner', Value: 'group:default/payments' }],
      }),
    );
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta', 'delta']);
    expect(a.synced).toHaveLength(3);
    const [delta] = a.connection.applyMutation.mock.calls[2];
    expect(
      names(delta.added).every((n: string) => n.startsWith('moved-')),
    ).toBe(true);
    expect(names(delta.added)).toContain(`moved-${account}`);
    expect(
      delta.removed.map((r: { entityRef: string }) => r.entityRef).sort(),
    ).toEqual(
      ['', '-policy', '-role', '-stream'].map(
        part => `resource:default/gone-${account}${part}`,
      ),
    );

    // The catalog holds what a full sync by a fresh process applies.
    const fresh = await replica(account);
    await fresh.provider.refresh();
    expect(fresh.mutations()).toEqual(['full']);
    const [full] = fresh.connection.applyMutation.mock.calls[0];
    expect(comparable(catalogOf(a.connection))).toEqual(
      comparable(full.entities.map((d: { entity: Entity }) => d.entity)),
    );
    const [first] = a.connection.applyMutation.mock.calls[0];
    const moved = (entities: Entity[]) =>
      entities.find(e => e.metadata.name === `moved-${account}`);
    expect(moved(catalogOf(a.connection))).not.toEqual(
      moved(first.entities.map((d: { entity: Entity }) => d.entity)),
    );
  });

  it('applies everything when another replica wrote since its last write', async () => {
    const account = freshAccountId();
    await seedThree(account);
    const knex = await databases.init('SQLITE_3');
    const database: DatabaseService = { getClient: async () => knex };
    const a = await replica(account, { database });
    const b = await replica(account, { database });

    await a.provider.refresh();
    await a.provider.refresh();
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta']);

    // B syncs: what A remembers may no longer be what the catalog holds.
    await b.provider.refresh();
    expect(b.mutations()).toEqual(['full']);
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta', 'full']);
    expect(a.logger.info).toHaveBeenLastCalledWith(
      expect.stringContaining('all 12 applied: another replica wrote since'),
    );
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta', 'full']);
    // And B, whose last write is no longer the last one.
    await b.provider.refresh();
    expect(b.mutations()).toEqual(['full', 'full']);
  });

  it('applies everything hourly, and after a failed sync', async () => {
    const account = freshAccountId();
    await seedThree(account);
    let now = Date.now();
    const a = await replica(account, { now: () => now });

    await a.provider.refresh();
    now += FULL_MUTATION_EVERY_MS / 2;
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta']);
    now += FULL_MUTATION_EVERY_MS / 2;
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta', 'full']);
    expect(a.logger.info).toHaveBeenLastCalledWith(
      expect.stringContaining('all 12 applied: hourly'),
    );

    // A failure marks the last entities (a full mutation); the next
    // success applies everything again, without the marks.
    const send = jest.spyOn(IAMClient.prototype, 'send').mockRejectedValue(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDenied',
      }) as never,
    );
    try {
      await a.provider.refresh();
    } finally {
      send.mockRestore();
    }
    expect(a.mutations()).toEqual(['full', 'delta', 'full', 'full']);
    const marked = catalogOf(a.connection).filter(
      e => e.metadata.annotations?.[ANNOTATIONS.factsError],
    );
    expect(marked).toHaveLength(3);
    await a.provider.refresh();
    expect(a.mutations()).toEqual(['full', 'delta', 'full', 'full', 'full']);
    expect(
      catalogOf(a.connection).filter(
        e => e.metadata.annotations?.[ANNOTATIONS.factsError],
      ),
    ).toEqual([]);
  });
});
