import {
  DescribeStreamSummaryCommand,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { MeterSiemPermissionPolicy } from '@internal/backstage-plugin-permission-backend-module-meter-siem';
import request from 'supertest';
import { startScaffolder } from './__testUtils__/backend';
import { sdk, uniqueName } from './__testUtils__/moto';
import { ADMIN_GROUP, ALEX, JANE, ORG, SAM } from './__testUtils__/org';

jest.setTimeout(90_000);

/** Ownership claims as the sign-in resolver makes them: user and groups. */
const userInfoFromOrg = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const userEntityRef: string = credentials.principal.userEntityRef;
      const user = ORG.find(
        (e: Entity) => `user:default/${e.metadata.name}` === userEntityRef,
      );
      const groups = ((user?.spec?.memberOf as string[]) ?? []).map(
        g => `group:default/${g}`,
      );
      return { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] };
    },
  }),
});

/**
 * Our permission policy deciding every permission check of the scaffolder.
 * (The test backend's mock auth cannot carry a user through the permission
 * backend's HTTP API, so the policy is called in-process; conditional
 * decisions reach the scaffolder as they would over HTTP, and it applies
 * them itself.) Service principals are allowed, as Backstage's permission
 * client does.
 */
const ourPolicy = createServiceFactory({
  service: coreServices.permissions,
  deps: { userInfo: coreServices.userInfo },
  factory: ({ userInfo }) => {
    const policy = new MeterSiemPermissionPolicy({
      adminGroupRef: ADMIN_GROUP,
      otherwise: AuthorizeResult.ALLOW,
      userInfo,
    });
    const decide = (requests: any[], options: { credentials: any }) =>
      Promise.all(
        requests.map(
          (r): Promise<PolicyDecision> =>
            options.credentials.principal.type === 'service'
              ? Promise.resolve({ result: AuthorizeResult.ALLOW })
              : policy.handle(
                  { permission: r.permission },
                  options.credentials.principal.type === 'user'
                    ? { credentials: options.credentials, info: {} as any }
                    : undefined,
                ),
        ),
      );
    return {
      authorizeConditional: decide,
      // A resource check with a condition would be applied by the plugin
      // owning the resource; none is made in these runs.
      authorize: async (requests: any[], options: { credentials: any }) =>
        (await decide(requests, options)).map(d =>
          d.result === AuthorizeResult.CONDITIONAL
            ? { result: AuthorizeResult.DENY }
            : d,
        ),
    } as any;
  },
});

/**
 * Two users of two teams with no group in common, through the real
 * scaffolder backend with our permission policy (not allow-all).
 */
describe('ownership between two teams', () => {
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  beforeAll(async () => {
    scaffolder = await startScaffolder([ourPolicy, userInfoFromOrg], {
      config: { meterSiem: { adminGroup: ADMIN_GROUP } },
    });
  });
  afterAll(async () => {
    await scaffolder?.backend.stop();
  });

  const values = (name: string, owner = 'group:default/security') => ({
    name,
    owner,
    environment: 'production',
    region: 'eu-west-3',
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  });
  const as = (user: string) => mockCredentials.user.header(user);

  it("keeps Jane's task, its events and her stream from Sam", async () => {
    const name = uniqueName('own');
    const janes = await scaffolder.run(values(name), undefined, JANE);
    expect(janes.task?.status).toBe('completed');
    const id = janes.task.id;

    // Nothing Backstage stores for the run looks like an external ID.
    expect(JSON.stringify([janes.task, janes.events])).not.toMatch(
      /[0-9a-f]{64}/,
    );

    const server = scaffolder.backend.server;
    expect(
      (
        await request(server)
          .get(`/api/scaffolder/v2/tasks/${id}`)
          .set('Authorization', as(JANE))
      ).status,
    ).toBe(200);
    for (const path of [
      `/api/scaffolder/v2/tasks/${id}`,
      `/api/scaffolder/v2/tasks/${id}/events`,
    ]) {
      const res = await request(server).get(path).set('Authorization', as(SAM));
      expect([403, 404]).toContain(res.status);
      expect(JSON.stringify(res.body)).not.toContain(name);
    }
    const samsList = await request(server)
      .get('/api/scaffolder/v2/tasks')
      .set('Authorization', as(SAM));
    expect(samsList.status).toBe(200);
    expect(samsList.body.tasks.map((t: any) => t.id)).not.toContain(id);
    const janesList = await request(server)
      .get('/api/scaffolder/v2/tasks')
      .set('Authorization', as(JANE));
    expect(janesList.body.tasks.map((t: any) => t.id)).toContain(id);
    // The admin group reads every task.
    const admin = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}`)
      .set('Authorization', as(ALEX));
    expect(admin.status).toBe(200);
    // Sam cannot cancel it either.
    const cancel = await request(server)
      .post(`/api/scaffolder/v2/tasks/${id}/cancel`)
      .set('Authorization', as(SAM));
    expect([403, 404]).toContain(cancel.status);

    // Sam re-runs Jane's integration, as her team and as his own: both
    // fail before any AWS write, and the stream is as Jane left it.
    const { kinesis } = sdk('eu-west-3');
    const StreamName = `meter-siem-${name}`;
    const before = await Promise.all([
      kinesis.send(new DescribeStreamSummaryCommand({ StreamName })),
      kinesis.send(new ListTagsForStreamCommand({ StreamName })),
    ]);
    for (const owner of [
      'group:default/security',
      'group:default/network-engineering',
    ]) {
      const samsRun = await scaffolder.run(
        {
          ...values(name, owner),
          retentionHours: 168,
          encryption: 'KMS_AWS_MANAGED',
          tags: { 'cost-center': 'sam' },
        },
        undefined,
        SAM,
      );
      expect(samsRun.task?.status).toBe('failed');
      const said = JSON.stringify(samsRun.events);
      expect(said).toMatch(/Not allowed to (create|change)/);
      expect(said).toContain('user:default/sam.lee is not a member of');
      expect(said).not.toMatch(/[0-9a-f]{64}/);
    }
    const after = await Promise.all([
      kinesis.send(new DescribeStreamSummaryCommand({ StreamName })),
      kinesis.send(new ListTagsForStreamCommand({ StreamName })),
    ]);
    expect(after[0].StreamDescriptionSummary).toEqual(
      before[0].StreamDescriptionSummary,
    );
    expect(after[1].Tags).toEqual(before[1].Tags);
  });

  it('lets Jane create only for a team she belongs to', async () => {
    const name = uniqueName('own');
    const result = await scaffolder.run(
      values(name, 'group:default/network-engineering'),
      undefined,
      JANE,
    );
    expect(result.task?.status).toBe('failed');
    expect(JSON.stringify(result.events)).toContain(
      'Not allowed to create Meter SIEM integration',
    );
  });
});
