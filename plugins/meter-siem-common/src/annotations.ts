/**
 * Catalog `spec.type` of the integration entity.
 *
 * @public
 */
export const INTEGRATION_ENTITY_TYPE = 'meter-siem-integration';

/**
 * The catalog filter that selects the integration entities (for
 * `getEntities`, `EntitySwitch` and the like).
 *
 * @public
 */
export const INTEGRATION_ENTITY_FILTER = {
  kind: 'Resource',
  'spec.type': INTEGRATION_ENTITY_TYPE,
} as const;

/**
 * Whether an entity is an integration entity: what
 * {@link INTEGRATION_ENTITY_FILTER} selects (the catalog matches kinds
 * whatever their case).
 *
 * @public
 */
export function isIntegrationEntity(
  entity: { kind?: string; spec?: { type?: unknown } } | undefined,
): boolean {
  return (
    entity?.kind?.toLowerCase() ===
      INTEGRATION_ENTITY_FILTER.kind.toLowerCase() &&
    entity.spec?.type === INTEGRATION_ENTITY_FILTER['spec.type']
  );
}

/**
 * Annotation keys on the catalog entities of an integration. Together with
 * `spec.type`, these are the catalog contract other tools build on.
 *
 * @public
 */
export const ANNOTATIONS = {
  streamArn: 'meter-siem.io/stream-arn',
  roleArn: 'meter-siem.io/role-arn',
  policyArn: 'meter-siem.io/policy-arn',
  accountId: 'meter-siem.io/account-id',
  region: 'meter-siem.io/region',
  environment: 'meter-siem.io/environment',
  managedBy: 'meter-siem.io/managed-by',
  /** Live facts, refreshed on every sync. */
  streamStatus: 'meter-siem.io/stream-status',
  capacityMode: 'meter-siem.io/capacity-mode',
  shardCount: 'meter-siem.io/shard-count',
  retentionHours: 'meter-siem.io/retention-hours',
  encryption: 'meter-siem.io/encryption',
  enhancedMetrics: 'meter-siem.io/enhanced-metrics',
  /**
   * What the audit rules read, as JSON (`AuditFacts`): tags, whether the
   * trust requires an external ID (never its value), the permissions' reach.
   */
  auditFacts: 'meter-siem.io/audit-facts',
  /** When the provider last read the facts from AWS (ISO 8601). */
  factsReadAt: 'meter-siem.io/facts-read-at',
  /**
   * Why the latest sync could not read them (the facts are then the last
   * ones read); absent when it could.
   */
  factsError: 'meter-siem.io/facts-error',
} as const;

/**
 * The event the template's run publishes so that the catalog provider
 * registers the new integration at once, without waiting for a full sync.
 * Day-two actions publish it too after a change: the provider reads the
 * role's integration again either way.
 *
 * @public
 */
export const INTEGRATION_CREATED_TOPIC = 'meter-siem.integration.created';

/** @public */
export interface IntegrationCreatedEvent {
  accountId: string;
  region: string;
  roleName: string;
  /** For the record; the provider reads the stream from the role's policy. */
  streamName?: string;
}

/**
 * The event the decommission action publishes once an integration's AWS
 * resources are gone, so that the catalog provider of its account removes
 * its entities at once instead of at its next sync.
 *
 * @public
 */
export const INTEGRATION_REMOVED_TOPIC = 'meter-siem.integration.removed';

/** @public */
export interface IntegrationRemovedEvent {
  accountId: string;
  /**
   * The integration entity and its parts' entities (`spec.dependsOn`), e.g.
   * `resource:default/hq-network-123456789012` and
   * `resource:default/hq-network-123456789012-stream`.
   */
  entityRefs: string[];
}

/**
 * The event the catalog provider publishes after each sync has applied its
 * entities to the catalog, so that the audit (the meter-siem backend)
 * rebuilds its index of findings from the new facts at once rather than at
 * its next periodic refresh. The payload is not read: any sync may have
 * changed any integration's facts.
 *
 * @public
 */
export const INTEGRATIONS_SYNCED_TOPIC = 'meter-siem.integrations.synced';

/**
 * The catalog name of an integration: its name and account, since IAM role
 * names (and so integration names) are unique only within one account.
 *
 * @public
 */
export function integrationEntityName(
  integrationName: string,
  accountId: string,
): string {
  return `${integrationName}-${accountId}`;
}
