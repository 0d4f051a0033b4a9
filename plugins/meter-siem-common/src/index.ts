/**
 * Domain rules of Meter SIEM integrations on AWS, shared by the scaffolder
 * actions, the catalog provider, the audit and the UI.
 *
 * @packageDocumentation
 */
export * from './constants';
export * from './limits';
export * from './refs';
export * from './validation';
export * from './tags';
export * from './arn';
export * from './naming';
export * from './policies';
export * from './externalId';
export * from './annotations';
export * from './settings';
export * from './discovery';
export * from './entities';
export * from './audit';
export * from './permissions';
export * from './access';
export * from './regions';
export * from './staleness';
export * from './alarms';
export * from './rotation';
export * from './delivery';
export * from './streamUpdate';
