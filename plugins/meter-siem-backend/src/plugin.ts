import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readAuditConfig } from './config';
import { createRouter } from './router';

/**
 * The audit of Meter SIEM integrations: `GET /api/meter-siem/findings`.
 *
 * @public
 */
export const meterSiemPlugin = createBackendPlugin({
  pluginId: 'meter-siem',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        catalog: catalogServiceRef,
      },
      async init({ config, httpAuth, httpRouter, auth, userInfo, catalog }) {
        httpRouter.use(
          await createRouter({
            httpAuth,
            auth,
            userInfo,
            catalog,
            audit: readAuditConfig(config),
          }),
        );
      },
    });
  },
});
