import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  meterSiemExternalIdReadPermission,
  meterSiemIntegrationManagePermission,
} from '@internal/backstage-plugin-meter-siem-common';
import { MeterSiemPermissionPolicy } from './policy';
import { permissionModuleMeterSiemPolicy } from './module';

const JANE = 'user:default/jane.doe';
const ALEX = 'user:default/alex.kim';
const groups: Record<string, string[]> = {
  [JANE]: ['group:default/security'],
  [ALEX]: ['group:default/platform'],
};
const userInfo = {
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef;
    return { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups[ref]] };
  },
};

const policy = (
  otherwise:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) =>
  new MeterSiemPermissionPolicy({
    adminGroupRef: 'group:default/platform',
    otherwise,
    userInfo,
  });
const user = (ref: string) => ({
  credentials: mockCredentials.user(ref),
  info: {} as any,
});

describe('MeterSiemPermissionPolicy', () => {
  it('lets a user read and cancel only the tasks they created', async () => {
    for (const permission of [taskReadPermission, taskCancelPermission]) {
      expect(await policy().handle({ permission }, user(JANE))).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-task',
        conditions: {
          rule: 'IS_TASK_OWNER',
          resourceType: 'scaffolder-task',
          params: { createdBy: [JANE] },
        },
      });
    }
  });

  it("lets only an integration's owners read its external ID or act on it", async () => {
    for (const permission of [
      meterSiemExternalIdReadPermission,
      meterSiemIntegrationManagePermission,
    ]) {
      expect(await policy().handle({ permission }, user(JANE))).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: { claims: [JANE, 'group:default/security'] },
        },
      });
    }
  });

  it('allows the admin group everything it decides', async () => {
    for (const permission of [
      taskReadPermission,
      taskCancelPermission,
      meterSiemExternalIdReadPermission,
      meterSiemIntegrationManagePermission,
    ]) {
      expect(await policy().handle({ permission }, user(ALEX))).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('denies its permissions without a user', async () => {
    expect(
      await policy().handle({ permission: meterSiemExternalIdReadPermission }),
    ).toEqual({ result: AuthorizeResult.DENY });
  });

  it('decides every other permission with its otherwise', async () => {
    const other = createPermission({ name: 'x.y', attributes: {} });
    expect(await policy().handle({ permission: other }, user(JANE))).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(
      await policy(AuthorizeResult.DENY).handle(
        { permission: taskCreatePermission },
        user(JANE),
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });
});

describe('permissionModuleMeterSiemPolicy', () => {
  async function installed(config: object) {
    const setPolicy = jest.fn();
    await startTestBackend({
      extensionPoints: [[policyExtensionPoint, { setPolicy }]],
      features: [
        permissionModuleMeterSiemPolicy,
        mockServices.rootConfig.factory({ data: config }),
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () => userInfo,
        }),
      ],
    });
    return setPolicy.mock.calls[0][0] as MeterSiemPermissionPolicy;
  }

  it('installs the policy with the configured admin group', async () => {
    const installedPolicy = await installed({
      meterSiem: { adminGroup: 'platform' },
    });
    expect(
      await installedPolicy.handle(
        { permission: taskReadPermission },
        user(ALEX),
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('denies what it does not decide when allowOthers is false', async () => {
    const installedPolicy = await installed({
      meterSiem: { permissions: { allowOthers: false } },
    });
    expect(
      await installedPolicy.handle(
        { permission: taskCreatePermission },
        user(JANE),
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });
});
