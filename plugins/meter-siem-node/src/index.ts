/**
 * What the Meter SIEM backend packages share: AWS clients with credentials
 * from `@backstage/integration-aws-node` and actionable errors, who may act
 * on an integration, and reading the external ID live from AWS.
 *
 * @packageDocumentation
 */
export * from './clients';
export * from './errors';
export * from './create';
export * from './access';
export * from './externalId';
export * from './delivery';
export * from './policies';
export * from './awsRates';
export * from './rateLimiter';
