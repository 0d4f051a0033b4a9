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
import { AuditIndex, buildSnapshot, readCatalog } from './auditIndex';
import { readAuditConfig } from './config';
import { createDeliveryRouter } from './deliveryRouter';
import { createExternalIdRouter } from './externalIdRouter';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { subscribeToFactChanges } from './events';
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
        lifecycle: coreServices.lifecycle,
        events: eventsServiceRef,
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
        lifecycle,
        events,
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
        const audit = readAuditConfig(config);
        // The findings, computed when the facts change rather than per
        // request: after each sync's event, else every minute.
        const index = new AuditIndex({
          logger,
          load: async () => {
            const readAt = Date.now();
            const read = await readCatalog(catalog, auth);
            return buildSnapshot(
              read.integrations,
              read.knownOwners,
              audit,
              readAt,
            );
          },
        });
        await subscribeToFactChanges(events, index);
        lifecycle.addStartupHook(() => index.start());
        lifecycle.addShutdownHook(() => index.stop());
        httpRouter.use(
          await createRouter({
            httpAuth,
            auth,
            userInfo,
            catalog,
            permissions,
            audit,
            index,
            logger,
          }),
        );
      },
    });
  },
});
