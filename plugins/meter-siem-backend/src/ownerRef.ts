import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * The one form of an owner ref, in lower case as the catalog compares refs:
 * `security` and `group:security` mean `group:default/security`. Undefined
 * for a value that is no entity ref.
 */
export function ownerRef(value: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}
