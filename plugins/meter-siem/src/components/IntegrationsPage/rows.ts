import { Entity, parseEntityRef } from '@backstage/catalog-model';
import {
  IntegrationView,
  formatCapacity,
  formatOwner,
  readIntegration,
} from '../../integration';

/** One row of the integrations table. */
export interface IntegrationRow {
  id: string;
  view: IntegrationView;
  entityRoute: { namespace: string; kind: string; name: string };
  ownerRoute?: { namespace: string; kind: string; name: string };
  owner?: string;
  capacity?: string;
  filterValues: {
    owner?: string;
    account?: string;
    region?: string;
    environment?: string;
  };
}

function routeParams(ref: string, defaultKind?: string) {
  try {
    const { kind, namespace, name } = parseEntityRef(ref, {
      defaultKind,
      defaultNamespace: 'default',
    });
    return {
      kind: kind.toLocaleLowerCase('en-US'),
      namespace: namespace.toLocaleLowerCase('en-US'),
      name,
    };
  } catch {
    return undefined;
  }
}

/** The table's row for an integration entity. */
export function toRow(entity: Entity): IntegrationRow {
  const view = readIntegration(entity);
  const owner = formatOwner(view.owner);
  return {
    id: view.entityRef,
    view,
    entityRoute: routeParams(view.entityRef)!,
    ownerRoute: view.owner ? routeParams(view.owner, 'group') : undefined,
    owner,
    capacity: formatCapacity(view),
    filterValues: {
      owner,
      account: view.accountId,
      region: view.region,
      environment: view.environment,
    },
  };
}
