import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { resolveSettings } from '@internal/backstage-plugin-meter-siem-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  AwsClientFactory,
  IntegrationAccess,
} from '@internal/backstage-plugin-meter-siem-node';
import { createApplyTagsAction } from './actions/applyTags';
import { createAlarmAction } from './actions/createAlarm';
import { createApplyAlarmAction } from './actions/applyAlarm';
import { createRotateExternalIdAction } from './actions/rotateExternalId';
import { createPolicyAction } from './actions/createPolicy';
import { createRoleAction } from './actions/createRole';
import { createStreamAction } from './actions/createStream';
import { createConfigureStreamAction } from './actions/configureStream';
import { createRegisterIntegrationAction } from './actions/registerIntegration';
import { createVerifyDeliveryAction } from './actions/verifyDelivery';
import { createUpdateStreamAction } from './actions/updateStream';
import { createDecommissionAction } from './actions/decommission';

/**
 * Registers the Meter SIEM actions with the scaffolder.
 *
 * @public
 */
export const scaffolderModuleMeterSiem = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'meter-siem',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        events: eventsServiceRef,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        scaffolderActions: scaffolderActionsExtensionPoint,
      },
      async init({ config, events, auth, catalog, scaffolderActions }) {
        const settings = resolveSettings(
          config.getOptional('meterSiem') ?? undefined,
        );
        const options = {
          clients: AwsClientFactory.fromConfig(
            config,
            'backstage-meter-siem-scaffolder',
          ),
          settings,
          access: new IntegrationAccess({
            catalog,
            auth,
            adminGroupRef: settings.adminGroupRef,
          }),
          events,
        };
        scaffolderActions.addActions(
          createStreamAction(options),
          createConfigureStreamAction(options),
          createPolicyAction(options),
          createRoleAction(options),
          createRegisterIntegrationAction({ events }),
          createApplyTagsAction(options),
          createVerifyDeliveryAction(options),
          createAlarmAction(options),
          createApplyAlarmAction(options),
          createRotateExternalIdAction(options),
          createUpdateStreamAction(options),
          createDecommissionAction(options),
        );
      },
    });
  },
});
