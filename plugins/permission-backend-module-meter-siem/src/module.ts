import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { resolveSettings } from '@internal/backstage-plugin-meter-siem-common';
import { MeterSiemPermissionPolicy } from './policy';

/**
 * Installs {@link MeterSiemPermissionPolicy} as the permission policy.
 *
 * @public
 */
export const permissionModuleMeterSiemPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'meter-siem-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        policy: policyExtensionPoint,
      },
      async init({ config, userInfo, policy }) {
        const settings = resolveSettings({
          adminGroup: config.getOptionalString('meterSiem.adminGroup'),
        });
        const allowOthers =
          config.getOptionalBoolean('meterSiem.permissions.allowOthers') ??
          true;
        policy.setPolicy(
          new MeterSiemPermissionPolicy({
            adminGroupRef: settings.adminGroupRef,
            otherwise: allowOthers
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
            userInfo,
          }),
        );
      },
    });
  },
});
