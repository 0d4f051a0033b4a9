import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { MeterSiemEntityProvider } from './provider/MeterSiemEntityProvider';

/**
 * Keeps the Meter SIEM integrations of the configured AWS accounts in the
 * catalog.
 *
 * @public
 */
export const catalogModuleMeterSiem = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'meter-siem',
  register(reg) {
    reg.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        // Stream facts between syncs, shared by the replicas when the
        // backend configures a store (backend.cache: Redis, Memcache).
        cache: coreServices.cache,
        // The catalog's database: who wrote each provider's entities last,
        // so that a sync applies only what changed when it wrote last.
        database: coreServices.database,
        events: eventsServiceRef,
        catalog: catalogProcessingExtensionPoint,
      },
      async init({
        logger,
        config,
        scheduler,
        cache,
        database,
        events,
        catalog,
      }) {
        catalog.addEntityProvider(
          MeterSiemEntityProvider.fromConfig(config, {
            logger,
            scheduler,
            cache,
            database,
            events,
          }),
        );
      },
    });
  },
});
