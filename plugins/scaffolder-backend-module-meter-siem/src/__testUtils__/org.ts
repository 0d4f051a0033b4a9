import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { IntegrationAccess } from '@internal/backstage-plugin-meter-siem-node';

/** Two teams with a user each and no group in common, and an admin. */
export const JANE = 'user:default/jane.doe';
export const SAM = 'user:default/sam.lee';
export const ALEX = 'user:default/alex.kim';
export const ADMIN_GROUP = 'group:default/platform';

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
});

export const ORG: Entity[] = [
  group('security'),
  group('network-engineering'),
  group('platform'),
  user('jane.doe', ['security']),
  user('sam.lee', ['network-engineering']),
  user('alex.kim', ['platform']),
];

/** The catalog's answer to "who owns what", for actions called directly. */
export function testAccess(entities: Entity[] = []) {
  return new IntegrationAccess({
    catalog: catalogServiceMock({ entities: [...ORG, ...entities] }),
    auth: mockServices.auth(),
    adminGroupRef: ADMIN_GROUP,
  });
}
