import { useCallback, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApiHolder } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity } from '@backstage/catalog-model';
import { ownerDisplayName, ownerEntityRef } from '../../integration';

/** What the names are read from, to keep the catalog's answer small. */
const OWNER_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'spec.profile.displayName',
];

/**
 * Reads the owners' entities from the catalog, keyed by full lower-case
 * ref. An owner the catalog does not know, or a failed read, leaves the
 * ref's short form: the names are an aid, never a reason to fail the page.
 */
export async function readOwnerEntities(
  catalogApi: {
    getEntitiesByRefs(request: {
      entityRefs: string[];
      fields?: string[];
    }): Promise<{ items: Array<Entity | undefined> }>;
  },
  owners: ReadonlyArray<string | undefined>,
): Promise<Map<string, Entity>> {
  const refs = [
    ...new Set(owners.map(ownerEntityRef).filter((r): r is string => !!r)),
  ].sort();
  const byRef = new Map<string, Entity>();
  if (refs.length === 0) return byRef;
  try {
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: OWNER_FIELDS,
    });
    items.forEach((entity, i) => {
      if (entity) byRef.set(refs[i], entity);
    });
  } catch {
    // The short forms stand in.
  }
  return byRef;
}

/**
 * The display names of owner refs (`Security Operations` for
 * `group:default/security`), read from the catalog; until they arrive, and
 * for owners it does not know, the ref's short form (`security`).
 */
export function useOwnerNames(
  owners: ReadonlyArray<string | undefined> | undefined,
): (owner: string | undefined) => string | undefined {
  // Optional: without a catalog (an app or a test without it), the short
  // forms stand in.
  const catalogApi = useApiHolder().get(catalogApiRef);
  // The refs' values, so that a new but equal list asks nothing again.
  const key = useMemo(
    () =>
      [
        ...new Set(
          (owners ?? []).map(ownerEntityRef).filter((r): r is string => !!r),
        ),
      ]
        .sort()
        .join('\n'),
    [owners],
  );
  const { value: entities } = useAsync(
    async () =>
      catalogApi
        ? readOwnerEntities(catalogApi, key ? key.split('\n') : [])
        : undefined,
    [catalogApi, key],
  );
  return useCallback(
    (owner: string | undefined) => {
      const ref = ownerEntityRef(owner);
      return ownerDisplayName(owner, ref ? entities?.get(ref) : undefined);
    },
    [entities],
  );
}
