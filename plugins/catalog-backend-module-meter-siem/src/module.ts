import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MeterSiemProvider } from './provider/MeterSiemProvider';

export const catalogModuleMeterSiem = createBackendModule({
  moduleId: 'meter-siem-provider',
  pluginId: 'catalog',
  register({ registerInit }) {
    registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        processing: catalogProcessingExtensionPoint,
      },
      async init({ logger, scheduler, config, processing }) {
        processing.addEntityProvider(
          MeterSiemProvider.fromConfig(config, {
            logger,
            scheduler,
          }),
        );
      }
    });
  },
})
