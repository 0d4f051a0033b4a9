/**
 * Scaffolder actions that provision Meter SIEM integrations on AWS.
 *
 * @packageDocumentation
 */
export { scaffolderModuleMeterSiem as default } from './module';
export { createStreamAction } from './actions/createStream';
export { createPolicyAction } from './actions/createPolicy';
export { createRoleAction } from './actions/createRole';
export { registerIntegrationAction } from './actions/registerIntegration';
export type { ActionOptions } from './actions/options';
