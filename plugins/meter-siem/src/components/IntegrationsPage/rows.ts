import { Entity } from '@backstage/catalog-model';
import {
  IntegrationView,
  entityRouteParams,
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
  /** What the search field looks in, lower case. */
  searchText: string;
}

/** The table's row for an integration entity. */
export function toRow(entity: Entity): IntegrationRow {
  const view = readIntegration(entity);
  const owner = formatOwner(view.owner);
  return {
    id: view.entityRef,
    view,
    entityRoute: entityRouteParams(view.entityRef)!,
    ownerRoute: view.owner ? entityRouteParams(view.owner, 'group') : undefined,
    owner,
    capacity: formatCapacity(view),
    filterValues: {
      owner,
      account: view.accountId,
      region: view.region,
      environment: view.environment,
    },
    searchText: [
      view.name,
      view.title,
      owner,
      view.owner,
      view.streamArn,
      view.roleArn,
    ]
      .filter(Boolean)
      .join('\n')
      .toLocaleLowerCase('en-US'),
  };
}

/**
 * Whether a row matches a search: every word of it appears, in any case, in
 * the integration's name, title, owner, stream ARN or role ARN.
 */
export function matchesSearch(row: IntegrationRow, search: string): boolean {
  const words = search.toLocaleLowerCase('en-US').split(/\s+/).filter(Boolean);
  return words.every(word => row.searchText.includes(word));
}
