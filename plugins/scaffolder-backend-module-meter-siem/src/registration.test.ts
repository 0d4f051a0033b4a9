import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import catalogModuleMeterSiem from '@internal/backstage-plugin-catalog-backend-module-meter-siem';
import path from 'node:path';
import request from 'supertest';
import { scaffolderModuleMeterSiem } from './module';
import { MOTO_ACCOUNT, requireMoto, uniqueName } from './__testUtils__/moto';
import { JANE } from './__testUtils__/org';

jest.setTimeout(90_000);

const templateFile = path.resolve(
  __dirname,
  '../../../templates/meter-siem-integration/template.yaml',
);
/** The example organisation: Jane is in the security team. */
const orgFile = path.resolve(__dirname, '../../../examples/org.yaml');

async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('a template run registers its integration in the catalog', () => {
  it('is visible through the catalog API within 10 seconds of the run', async () => {
    requireMoto();
    let catalog!: CatalogService;
    const backend = await startTestBackend({
      features: [
        // The in-process events service that carries the run's event from
        // the scaffolder to the catalog, as in a real backend.
        eventsServiceFactory,
        scaffolderPlugin,
        scaffolderModuleMeterSiem,
        catalogPlugin,
        catalogModuleTemplateKind,
        catalogModuleMeterSiem,
        createBackendModule({
          pluginId: 'catalog',
          moduleId: 'test-catalog-client',
          register(reg) {
            reg.registerInit({
              deps: { catalogService: catalogServiceRef },
              async init({ catalogService }) {
                catalog = catalogService;
              },
            });
          },
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              rules: [{ allow: ['Template', 'Resource', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: templateFile },
                { type: 'file', target: orgFile },
              ],
              providers: {
                meterSiem: {
                  // Not the run's region: integrations are found through
                  // IAM wherever they are.
                  regions: ['us-east-1'],
                  schedule: {
                    frequency: { hours: 1 },
                    timeout: { minutes: 5 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    try {
      const user = { credentials: mockCredentials.user(JANE) };
      const inCatalog = (ref: string) => async () =>
        (await catalog.getEntityByRef(ref, user)) ?? undefined;
      for (const ref of ['template:default/meter-siem-integration', JANE]) {
        await until(`${ref} reached the catalog`, 60_000, inCatalog(ref));
      }

      const name = uniqueName('reg');
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header(JANE))
        .send({
          templateRef: 'template:default/meter-siem-integration',
          values: {
            name,
            owner: 'group:default/security',
            environment: 'staging',
            region: 'sa-east-1',
            capacityMode: 'ON_DEMAND',
            retentionHours: 24,
            encryption: 'NONE',
          },
        });
      expect(created.status).toBe(201);
      const output = await until('the run completed', 60_000, async () => {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('Authorization', mockCredentials.user.header(JANE));
        return events.body.find((e: any) => e.type === 'completion')?.body
          .output;
      });
      expect(output.entityRef).toBe(`resource:default/${name}-${MOTO_ACCOUNT}`);

      const entity = await until(
        'the integration entity was visible',
        10_000,
        async () =>
          (await catalog.getEntityByRef(output.entityRef, user)) ?? undefined,
      );
      expect(entity.spec).toMatchObject({
        type: 'meter-siem-integration',
        owner: 'group:default/security',
      });
      // The catalog never holds the external ID (nor anything like it).
      expect(JSON.stringify(entity)).not.toMatch(/[0-9a-f]{64}/);
    } finally {
      await backend.stop();
    }
  });
});
