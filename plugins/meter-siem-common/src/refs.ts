import {
  DEFAULT_NAMESPACE,
  KubernetesValidatorFunctions,
  parseEntityRef,
} from '@backstage/catalog-model';

/** @public */
export interface CatalogRefOptions {
  /**
   * Read the ref as people write it in tags and config: surrounding spaces
   * dropped, kind and namespace in any case (given back lowercase). Without
   * it they must be written lowercase, as the catalog spells them.
   */
  loose?: boolean;
}

/**
 * The one reader of the catalog refs the product takes (owners, systems,
 * the admin group). `group:default/security`, `default/security` and
 * `security` all name the same group when the first allowed kind is `group`.
 * Parsed by the catalog's own `parseEntityRef`; the kind must be one of
 * `allowedKinds`, and the namespace and the name must follow the catalog's
 * rules. Gives `kind:namespace/name`, or `undefined` for what names no
 * entity of those kinds.
 *
 * @public
 */
export function parseCatalogRef(
  value: unknown,
  allowedKinds: readonly string[],
  options: CatalogRefOptions = {},
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const { loose = false } = options;
  let ref: { kind: string; namespace: string; name: string };
  try {
    ref = parseEntityRef(loose ? value.trim() : value, {
      defaultKind: allowedKinds[0],
      defaultNamespace: DEFAULT_NAMESPACE,
    });
  } catch {
    return undefined;
  }
  const kind = loose ? ref.kind.toLowerCase() : ref.kind;
  const namespace = loose ? ref.namespace.toLowerCase() : ref.namespace;
  if (
    !allowedKinds.includes(kind) ||
    !KubernetesValidatorFunctions.isValidNamespace(namespace) ||
    !KubernetesValidatorFunctions.isValidObjectName(ref.name)
  ) {
    return undefined;
  }
  return `${kind}:${namespace}/${ref.name}`;
}

/** The kinds that can own an integration. @public */
export const OWNER_KINDS = ['group', 'user'] as const;

/**
 * The owner ref a tag value names, or `undefined` when it names none. A bare
 * name means a group in the default namespace.
 *
 * @public
 */
export function ownerRefFromTag(value: string | undefined): string | undefined {
  return parseCatalogRef(value, OWNER_KINDS, { loose: true });
}

/**
 * An owner as the product compares owners: the full ref it names, in
 * lower case as the catalog compares refs (`security`, `group:security` and
 * `Group:default/Security` are one owner), else the value in lower case.
 *
 * @public
 */
export function comparableOwner(value: string): string {
  return (ownerRefFromTag(value) ?? value).toLowerCase();
}

/**
 * The system ref a tag value names, or `undefined` when it names none.
 *
 * @public
 */
export function systemRefFromTag(
  value: string | undefined,
): string | undefined {
  return parseCatalogRef(value, ['system'], { loose: true });
}
