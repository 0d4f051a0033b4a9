import { Entity } from '@backstage/catalog-model';
import {
  IntegrationFacts,
  buildIntegrationEntities,
  buildPermissionsPolicy,
  buildTrustPolicy,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';

/** The audit's test catalog: four integrations and their owners. */
export const settings = resolveSettings();
export const externalId = 'beef'.repeat(16);

export function integration(
  name: string,
  accountId: string,
  region: string,
  tags: Record<string, string>,
  options: { externalId?: boolean } = {},
): IntegrationFacts {
  const streamArn = `arn:aws:kinesis:${region}:${accountId}:stream/meter-siem-${name}`;
  const trustPolicy = buildTrustPolicy({
    principalArn: settings.meterPrincipalArn,
    externalId,
  });
  if (options.externalId === false) delete trustPolicy.Statement[0].Condition;
  return {
    accountId,
    region,
    role: {
      arn: `arn:aws:iam::${accountId}:role/meter-siem-${name}`,
      name: `meter-siem-${name}`,
      tags,
      trustPolicy,
    },
    permissions: [{ document: buildPermissionsPolicy(streamArn) }],
    streamArn,
    stream: { name: `meter-siem-${name}`, tags },
  };
}

export const managed = { 'managed-by': 'backstage', environment: 'production' };
const facts = [
  // Breaks nothing.
  integration('clean', '111111111111', 'us-east-1', {
    ...managed,
    owner: 'group:default/network',
  }),
  // No owner tag anywhere: owned by the fallback, two owner-tag-missing.
  integration('orphan', '111111111111', 'eu-west-1', { ...managed }),
  // Owner unknown to the catalog, made by hand, no external ID.
  integration(
    'hand',
    '222222222222',
    'eu-west-1',
    { owner: 'group:default/ghosts', environment: 'lab, "b"' },
    { externalId: false },
  ),
  // Jane's, with the environment missing.
  integration('janes', '222222222222', 'us-east-1', {
    'managed-by': 'backstage',
    owner: 'user:default/jane',
  }),
];

export const org: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'network', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'jane', namespace: 'default' },
    spec: {},
  },
];

export const entities = [
  ...(buildIntegrationEntities(facts, {
    settings,
    fallbackOwner: 'group:default/network',
  }) as unknown as Entity[]),
  ...org,
];
