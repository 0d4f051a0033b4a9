import { Entity } from '@backstage/catalog-model';
import {
  IntegrationView,
  entityRouteParams,
  formatCapacity,
  formatOwner,
  ownerDisplayName,
  ownerEntityRef,
  readIntegration,
} from '../../integration';

/** One row of the integrations table. */
export interface IntegrationRow {
  id: string;
  view: IntegrationView;
  entityRoute: { namespace: string; kind: string; name: string };
  ownerRoute?: { namespace: string; kind: string; name: string };
  /** The owner ref's short form (`security`): the owner filter's value. */
  owner?: string;
  /** The owner's display name (`Security Operations`), else `owner`. */
  ownerName?: string;
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

/**
 * The table's row for an integration entity; `owners` are the owners'
 * entities by full lower-case ref, for their display names.
 */
export function toRow(
  entity: Entity,
  owners?: ReadonlyMap<string, Entity>,
): IntegrationRow {
  const view = readIntegration(entity);
  const owner = formatOwner(view.owner);
  const ownerRef = ownerEntityRef(view.owner);
  const ownerName = ownerDisplayName(
    view.owner,
    ownerRef ? owners?.get(ownerRef) : undefined,
  );
  return {
    id: view.entityRef,
    view,
    entityRoute: entityRouteParams(view.entityRef)!,
    ownerRoute: view.owner ? entityRouteParams(view.owner, 'group') : undefined,
    owner,
    ownerName,
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
      ownerName,
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
 * the integration's name, title, owner (ref or display name), stream ARN or
 * role ARN.
 */
export function matchesSearch(row: IntegrationRow, search: string): boolean {
  const words = search.toLocaleLowerCase('en-US').split(/\s+/).filter(Boolean);
  return words.every(word => row.searchText.includes(word));
}
