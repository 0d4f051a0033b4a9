/** The catalog's entity name rule and the longest name it allows. */
const ENTITY_NAME = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const NAMESPACE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 63;

/**
 * Reads a tag value as an entity ref: `group:default/security`,
 * `default/security` and `security` all name the same group when
 * the first allowed kind is `group`. Values that are no valid ref give `undefined`.
 */
export function parseRef(
  value: string | undefined,
  allowedKinds: string[],
): string | undefined {
  const match = value
    ?.trim()
    .match(/^(?:([A-Za-z]+):)?(?:([^/:]+)\/)?([^/:]+)$/);
  if (!match) return undefined;
  const kind = (match[1] ?? allowedKinds[0]).toLowerCase();
  const namespace = (match[2] ?? 'default').toLowerCase();
  const name = match[3];
  if (!allowedKinds.includes(kind)) return undefined;
  if (!NAMESPACE.test(namespace) || !ENTITY_NAME.test(name)) return undefined;
  if (name.length > MAX_NAME_LENGTH) return undefined;
  return `${kind}:${namespace}/${name}`;
}

/**
 * The owner ref a tag value names, or `undefined` when it names none. A bare
 * name means a group in the default namespace.
 *
 * @public
 */
export function ownerRefFromTag(value: string | undefined): string | undefined {
  return parseRef(value, ['group', 'user']);
}
