import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  TYPE_TEST,
  buildIntegrationEntities,
  buildPermissionsPolicy,
  buildTrustPolicy,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  createTestStream,
  meterCloudEvent,
} from '@internal/backstage-plugin-meter-siem-node/testUtils';
import request from 'supertest';
import { meterSiemPlugin } from './plugin';

jest.setTimeout(30_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const JANE = 'user:default/jane.doe';
const SAM = 'user:default/sam.lee';
const ALEX = 'user:default/alex.kim';

const org: Entity[] = [
  ['jane.doe', 'security'],
  ['sam.lee', 'network-engineering'],
  ['alex.kim', 'platform'],
].map(([name, team]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
}));

/** A stream in moto and the integration entity the provider emits for it. */
async function integration() {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: run through ./scripts/test.sh',
    );
  }
  const stream = await createTestStream({
    region: REGION,
    prefix: 'meter-siem-verify',
  });
  const { name, arn: streamArn } = stream;
  const owned = { owner: 'group:default/security' };
  const [entity] = buildIntegrationEntities(
    [
      {
        accountId: ACCOUNT,
        region: REGION,
        streamArn,
        stream: { name, tags: owned },
        role: {
          arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
          name,
          tags: owned,
          trustPolicy: buildTrustPolicy({
            principalArn: DEFAULT_METER_PRINCIPAL_ARN,
            externalId: 'e'.repeat(64),
          }),
        },
        permissions: [{ document: buildPermissionsPolicy(streamArn) }],
      },
    ],
    { settings: resolveSettings(), fallbackOwner: 'group:default/unowned' },
  );
  /** Writes a CloudEvent to the stream, as Meter does. */
  const put = async (type: string) => {
    const event = meterCloudEvent(type);
    await stream.put(event);
    return event;
  };
  return { entity: entity as unknown as Entity, put };
}

async function start(entities: Entity[]) {
  const { server } = await startTestBackend({
    features: [
      meterSiemPlugin,
      catalogServiceMock.factory({ entities: [...org, ...entities] }),
      mockServices.rootConfig.factory({
        data: { meterSiem: { adminGroup: 'group:default/platform' } },
      }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
  return server;
}

const path = (entity: Entity) =>
  `/api/meter-siem/integrations/default/${entity.metadata.name}/verify-delivery`;

describe('POST /integrations/:namespace/:name/verify-delivery', () => {
  it("answers the stream's delivery report to the owning team and the admin group only", async () => {
    const { entity, put } = await integration();
    const server = await start([entity]);
    const as = (user: string) => mockCredentials.user.header(user);

    const silent = await request(server)
      .post(path(entity))
      .set('Authorization', as(JANE));
    expect(silent.status).toBe(200);
    expect(silent.body).toMatchObject({ status: 'Silent', shardsRead: 1 });

    const test = await put(TYPE_TEST);
    const jane = await request(server)
      .post(path(entity))
      .set('Authorization', as(JANE))
      .send({ sinceMinutes: 5 });
    expect(jane.status).toBe(200);
    expect(jane.headers['cache-control']).toBe('no-store');
    expect(jane.body).toMatchObject({
      status: 'Verified',
      testEvent: { id: test.id, time: test.time },
      latestEvent: { id: test.id, type: TYPE_TEST, time: test.time },
      recordsRead: 1,
    });

    const alex = await request(server)
      .post(path(entity))
      .set('Authorization', as(ALEX));
    expect(alex.status).toBe(200);
    expect(alex.body.status).toBe('Verified');

    const sam = await request(server)
      .post(path(entity))
      .set('Authorization', as(SAM));
    expect(sam.status).toBe(403);
    expect(sam.body.error.message).toContain(
      'user:default/sam.lee is not a member of group:default/security',
    );
    expect(JSON.stringify(sam.body)).not.toContain(test.id);

    const anonymous = await request(server).post(path(entity));
    expect(anonymous.status).toBe(401);

    const service = await request(server)
      .post(path(entity))
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(403);
  });

  it('refuses a bad look-back naming the field and the rule', async () => {
    const { entity } = await integration();
    const server = await start([entity]);
    const res = await request(server)
      .post(path(entity))
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({ sinceMinutes: 5000 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'sinceMinutes must be between 1 and 1440 minutes (a day: the shortest retention of a stream)',
    );
  });
});
