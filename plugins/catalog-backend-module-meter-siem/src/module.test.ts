import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { EventsService, eventsServiceRef } from '@backstage/plugin-events-node';
import { INTEGRATION_CREATED_TOPIC } from '@internal/backstage-plugin-meter-siem-common';
import {
  awsConfig,
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from './__testUtils__/moto';
import { catalogModuleMeterSiem } from './module';

requireMoto();
jest.setTimeout(60_000);

/** Waits for an entity as a user sees it through the catalog API. */
async function findEntity(
  catalog: CatalogService,
  name: string,
): Promise<Entity> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { items } = await catalog.queryEntities(
      { filter: { 'metadata.name': name } },
      { credentials: mockCredentials.user() },
    );
    if (items.length) return items[0];
    if (Date.now() > deadline) {
      throw new Error(`entity ${name} did not appear in the catalog`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe('catalogModuleMeterSiem', () => {
  it('puts discovered and newly created integrations in the catalog', async () => {
    const accountId = freshAccountId();
    const clients = await seedClients(accountId, 'us-east-1');
    await seedIntegration(clients, {
      region: 'us-east-1',
      streamName: 'meter-siem-synced',
      roleName: 'meter-siem-synced',
      policyName: 'meter-siem-synced-kinesis-write',
      tags: {
        owner: 'group:default/network',
        'meter-siem-integration': 'synced',
      },
    });

    // Reaches the catalog's events service and catalog client, as the
    // scaffolder's run reaches its own.
    let events!: EventsService;
    let catalog!: CatalogService;
    await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMeterSiem,
        createBackendModule({
          pluginId: 'catalog',
          moduleId: 'test-events',
          register(reg) {
            reg.registerInit({
              deps: {
                eventsService: eventsServiceRef,
                catalogService: catalogServiceRef,
              },
              async init({ eventsService, catalogService }) {
                events = eventsService;
                catalog = catalogService;
              },
            });
          },
        }),
        mockServices.rootConfig.factory({
          data: {
            aws: awsConfig([accountId]),
            catalog: {
              providers: {
                meterSiem: {
                  accounts: [{ accountId, regions: ['us-east-1'] }],
                },
              },
            },
          },
        }),
      ],
    });

    const synced = await findEntity(catalog, `synced-${accountId}`);
    expect(synced.spec).toMatchObject({
      type: 'meter-siem-integration',
      owner: 'group:default/network',
    });
    expect(synced.relations).toEqual(
      expect.arrayContaining([
        {
          type: 'dependsOn',
          targetRef: `resource:default/synced-${accountId}-stream`,
        },
        { type: 'ownedBy', targetRef: 'group:default/network' },
      ]),
    );

    await seedIntegration(clients, {
      region: 'us-east-1',
      streamName: 'meter-siem-fresh',
      roleName: 'meter-siem-fresh',
      policyName: 'meter-siem-fresh-kinesis-write',
    });
    await events.publish({
      topic: INTEGRATION_CREATED_TOPIC,
      eventPayload: {
        accountId,
        region: 'us-east-1',
        roleName: 'meter-siem-fresh',
        streamName: 'meter-siem-fresh',
      },
    });
    const fresh = await findEntity(catalog, `fresh-${accountId}`);
    expect(fresh.spec?.owner).toBe('group:default/unowned');
  });
});
