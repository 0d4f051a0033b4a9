/**
 * Catalog backend module that discovers Meter SIEM integrations in AWS.
 *
 * @packageDocumentation
 */

export { catalogModuleMeterSiem as default } from './module';
export { MeterSiemEntityProvider } from './provider/MeterSiemEntityProvider';
