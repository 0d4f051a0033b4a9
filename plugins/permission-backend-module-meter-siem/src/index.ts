/**
 * The permission policy of the Meter SIEM product.
 *
 * @packageDocumentation
 */
export { permissionModuleMeterSiemPolicy as default } from './module';
export { MeterSiemPermissionPolicy } from './policy';
export type { MeterSiemPolicyOptions } from './policy';
