import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  meterSiemPermissions,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  IntegrationAccess,
} from '@internal/backstage-plugin-meter-siem-node';
import { readAuditConfig } from './config';
import { createDeliveryRouter } from './deliveryRouter';
import { createExternalIdRouter } from './externalIdRouter';
import { createRouter } from './router';

/**
 * The audit of Meter SIEM integrations (`GET /api/meter-siem/findings`) and
 * the owners' external ID reveal
 * (`GET /api/meter-siem/integrations/:namespace/:name/external-id`) and
 * delivery check
 * (`POST /api/meter-siem/integrations/:namespace/:name/verify-delivery`).
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
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        logger: coreServices.logger,
      },
      async init({
        config,
        httpAuth,
        httpRouter,
        auth,
        userInfo,
        catalog,
        permissions,
        permissionsRegistry,
        logger,
      }) {
        // Listed in the permission metadata, for policy tooling.
        permissionsRegistry.addPermissions(meterSiemPermissions);
        const settings = resolveSettings(
          config.getOptional('meterSiem') ?? undefined,
        );
        const integrations = {
          httpAuth,
          permissions,
          logger,
          settings,
          clients: AwsClientFactory.fromConfig(
            config,
            'backstage-meter-siem-backend',
          ),
          access: new IntegrationAccess({
            catalog,
            auth,
            adminGroupRef: settings.adminGroupRef,
          }),
        };
        httpRouter.use(createExternalIdRouter(integrations));
        httpRouter.use(createDeliveryRouter(integrations));
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
