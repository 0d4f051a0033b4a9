import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

type Mutation =
  | { type: 'full'; entities: Array<{ entity: Entity }> }
  | {
      type: 'delta';
      added: Array<{ entity: Entity }>;
      removed: Array<{ entityRef: string } | { entity: Entity }>;
    };

/**
 * What the catalog holds from a provider once every mutation it applied
 * through `connection` has landed, in order: a full mutation replaces all,
 * a delta adds (or replaces) and removes entities.
 */
export function catalogOf(connection: { applyMutation: jest.Mock }): Entity[] {
  const held = new Map<string, Entity>();
  for (const [mutation] of connection.applyMutation.mock.calls as Array<
    [Mutation]
  >) {
    if (mutation.type === 'full') {
      held.clear();
      for (const { entity } of mutation.entities) {
        held.set(stringifyEntityRef(entity), entity);
      }
      continue;
    }
    for (const removed of mutation.removed) {
      held.delete(
        'entityRef' in removed
          ? removed.entityRef
          : stringifyEntityRef(removed.entity),
      );
    }
    for (const { entity } of mutation.added) {
      held.set(stringifyEntityRef(entity), entity);
    }
  }
  return [...held.values()];
}
