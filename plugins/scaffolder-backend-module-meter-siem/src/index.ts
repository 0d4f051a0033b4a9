/**
 * Scaffolder actions that provision Meter SIEM integrations on AWS.
 *
 * @packageDocumentation
 */
export { scaffolderModuleMeterSiem as default } from './module';
export { createStreamAction } from './actions/createStream';
export { createConfigureStreamAction } from './actions/configureStream';
export { createPolicyAction } from './actions/createPolicy';
export { createRoleAction } from './actions/createRole';
export { createRegisterIntegrationAction } from './actions/registerIntegration';
export { createApplyTagsAction } from './actions/applyTags';
export { createVerifyDeliveryAction } from './actions/verifyDelivery';
export { createAlarmAction } from './actions/createAlarm';
export { createApplyAlarmAction } from './actions/applyAlarm';
export { createRotateExternalIdAction } from './actions/rotateExternalId';
export { createDecommissionAction } from './actions/decommission';
export { createUpdateStreamAction } from './actions/updateStream';
export type { ActionOptions } from './actions/options';
