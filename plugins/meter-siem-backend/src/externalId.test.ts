import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  buildIntegrationEntities,
  buildPermissionsPolicy,
  buildTrustPolicy,
  generateExternalId,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { randomBytes } from 'node:crypto';
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

/** A role in moto trusted by Meter, and the entity the provider emits for it. */
async function integration(options: { externalId?: string } = {}) {
  if (!process.env.AWS_ENDPOINT_URL) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: run through ./scripts/test.sh',
    );
  }
  const name = `meter-siem-reveal-${randomBytes(4).toString('hex')}`;
  const trustPolicy = buildTrustPolicy({
    principalArn: DEFAULT_METER_PRINCIPAL_ARN,
    externalId: options.externalId ?? 'unused',
  });
  if (!options.externalId) delete trustPolicy.Statement[0].Condition;
  const iam = new IAMClient({ region: REGION, maxAttempts: 1 });
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
    }),
  );
  const streamArn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
  const [entity] = buildIntegrationEntities(
    [
      {
        accountId: ACCOUNT,
        region: REGION,
        streamArn,
        stream: { name, tags: { owner: 'group:default/security' } },
        role: {
          arn: Role!.Arn!,
          name,
          tags: { owner: 'group:default/security' },
          trustPolicy,
        },
        permissions: [{ document: buildPermissionsPolicy(streamArn) }],
      },
    ],
    { settings: resolveSettings(), fallbackOwner: 'group:default/unowned' },
  );
  return entity as unknown as Entity;
}

async function start(entities: Entity[]) {
  const lines: string[] = [];
  const record = (level: string) => (message: string, meta?: object) =>
    lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const recording: any = {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    debug: record('debug'),
    child: () => recording,
  };
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
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => recording,
      }),
    ],
  });
  return { server, lines };
}

const path = (entity: Entity) =>
  `/api/meter-siem/integrations/${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }/external-id`;

describe('GET /integrations/:namespace/:name/external-id', () => {
  it("reveals the trust policy's external ID to the owning team and the admin group only", async () => {
    const externalId = generateExternalId();
    const entity = await integration({ externalId });
    const { server, lines } = await start([entity]);

    const jane = await request(server)
      .get(path(entity))
      .set('Authorization', mockCredentials.user.header(JANE));
    expect(jane.status).toBe(200);
    expect(jane.body).toEqual({ externalId });
    expect(jane.headers['cache-control']).toBe('no-store');

    const alex = await request(server)
      .get(path(entity))
      .set('Authorization', mockCredentials.user.header(ALEX));
    expect(alex.status).toBe(200);

    const sam = await request(server)
      .get(path(entity))
      .set('Authorization', mockCredentials.user.header(SAM));
    expect(sam.status).toBe(403);
    expect(sam.body.error.message).toContain(
      'user:default/sam.lee is not a member of group:default/security',
    );

    const anonymous = await request(server).get(path(entity));
    expect(anonymous.status).toBe(401);

    const service = await request(server)
      .get(path(entity))
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(403);

    // Each reveal is logged with who and what, never the value.
    const log = lines.join('\n');
    const ref = stringifyEntityRef(entity);
    expect(log).toContain(`External ID of ${ref} revealed to ${JANE}`);
    expect(log).toContain(`External ID of ${ref} revealed to ${ALEX}`);
    expect(log).not.toContain(`revealed to ${SAM}`);
    expect(log).not.toContain(externalId);
    expect(
      JSON.stringify([sam.body, anonymous.body, service.body]),
    ).not.toContain(externalId);
  });

  it('answers 404 for an unknown integration and a role without external ID', async () => {
    const open = await integration();
    const { server } = await start([open]);
    const unknown = await request(server)
      .get('/api/meter-siem/integrations/default/nothing-here/external-id')
      .set('Authorization', mockCredentials.user.header(JANE));
    expect(unknown.status).toBe(404);
    const none = await request(server)
      .get(path(open))
      .set('Authorization', mockCredentials.user.header(JANE));
    expect(none.status).toBe(404);
    expect(none.body.error.message).toContain('requires no external ID');
  });

  it('refuses an integration entity written by hand into a catalog file', async () => {
    const forged = await integration({ externalId: generateExternalId() });
    forged.metadata.annotations = {
      ...forged.metadata.annotations,
      'backstage.io/managed-by-location': 'url:https://example.com/x.yaml',
      'backstage.io/managed-by-origin-location':
        'url:https://example.com/x.yaml',
    };
    const { server } = await start([forged]);
    const res = await request(server)
      .get(path(forged))
      .set('Authorization', mockCredentials.user.header(JANE));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('was not discovered in AWS');
  });
});
