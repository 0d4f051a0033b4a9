/***/
/**
 * The meter-siem-provider module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleMeterSiem as default } from './module';
