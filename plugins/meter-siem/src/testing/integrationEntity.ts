import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  INTEGRATION_ENTITY_TYPE,
  integrationEntityName,
} from '@internal/backstage-plugin-meter-siem-common';

/** An integration entity shaped as the catalog provider registers it. */
export function integrationEntity(options: {
  name: string;
  accountId?: string;
  region?: string;
  owner?: string;
  environment?: string;
  annotations?: Record<string, string>;
  links?: Array<{ url: string; title?: string }>;
}): Entity {
  const {
    name,
    accountId = '123456789012',
    region = 'eu-west-1',
    owner = 'group:default/security',
    environment = 'production',
  } = options;
  const streamName = `meter-siem-${name}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: integrationEntityName(name, accountId),
      namespace: 'default',
      title: `Meter SIEM ${name}`,
      annotations: {
        [ANNOTATIONS.streamArn]: `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`,
        [ANNOTATIONS.roleArn]: `arn:aws:iam::${accountId}:role/${streamName}`,
        [ANNOTATIONS.policyArn]: `arn:aws:iam::${accountId}:policy/${streamName}`,
        [ANNOTATIONS.accountId]: accountId,
        [ANNOTATIONS.region]: region,
        [ANNOTATIONS.environment]: environment,
        [ANNOTATIONS.managedBy]: 'backstage',
        [ANNOTATIONS.streamStatus]: 'ACTIVE',
        [ANNOTATIONS.capacityMode]: 'PROVISIONED',
        [ANNOTATIONS.shardCount]: '2',
        [ANNOTATIONS.retentionHours]: '168',
        [ANNOTATIONS.encryption]: 'KMS_AWS_MANAGED',
        // As the catalog provider writes it.
        [ANNOTATIONS.enhancedMetrics]: 'IncomingBytes,IncomingRecords',
        ...options.annotations,
      },
      links: options.links,
    },
    spec: {
      type: INTEGRATION_ENTITY_TYPE,
      owner,
      dependsOn: [`resource:default/${streamName}-stream`],
    },
  };
}
