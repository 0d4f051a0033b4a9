import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { DEFAULT_NAMESPACE, Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';

/** The catalog's own read permission, which the audit honours. */
export { catalogEntityReadPermission };

/**
 * Which entities a caller may read, as the catalog would answer them:
 * every one, none, those passing `visible`, or `unsupported` when the
 * policy's conditions use a rule this module cannot apply in memory (a
 * custom rule of the catalog): then only the catalog can tell.
 */
export type EntityVisibility =
  | { type: 'all' }
  | { type: 'none' }
  | {
      type: 'some';
      /** Whether an entity, by its search table, passes the conditions. */
      matches: (table: SearchTable) => boolean;
    }
  | { type: 'unsupported'; reason: string };

/**
 * A catalog filter `{ key, values }` a condition stands for: what the
 * catalog's own rules' `toQuery` make of their parameters, matched on the
 * catalog's search table the way `getEntities` does (keys and values
 * without regard to case; without values, any value).
 */
interface SearchFilter {
  key: string;
  values?: string[];
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every(isString);
const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || isString(value);

/** `key` with, when given, one `value`. */
function keyValue(key: string, value: unknown): SearchFilter | undefined {
  if (!optionalString(value)) return undefined;
  return value === undefined ? { key } : { key, values: [value] };
}

/**
 * The catalog's built-in permission rules (`permissionRules` of
 * `@backstage/plugin-catalog-backend/alpha`), each as its `toQuery` makes
 * it; `undefined` for parameters it would not accept.
 */
const CATALOG_RULES: Record<
  string,
  (params: Record<string, unknown>) => SearchFilter | undefined
> = {
  IS_ENTITY_OWNER: ({ claims }) =>
    isStringList(claims)
      ? { key: 'relations.ownedBy', values: claims }
      : undefined,
  IS_ENTITY_KIND: ({ kinds }) =>
    isStringList(kinds) ? { key: 'kind', values: kinds } : undefined,
  HAS_ANNOTATION: ({ annotation, value }) =>
    isString(annotation)
      ? keyValue(`metadata.annotations.${annotation}`, value)
      : undefined,
  HAS_LABEL: ({ label, value }) =>
    isString(label) ? keyValue(`metadata.labels.${label}`, value) : undefined,
  HAS_METADATA: ({ key, value }) =>
    isString(key) ? keyValue(`metadata.${key}`, value) : undefined,
  HAS_SPEC: ({ key, value }) =>
    isString(key) ? keyValue(`spec.${key}`, value) : undefined,
};

// As the catalog's search table is built (buildEntitySearch): these are
// added by hand or not at all, and longer keys or values are not matched.
const SPECIAL_KEYS = new Set([
  'attachments',
  'relations',
  'status',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'metadata.etag',
]);
const MAX_KEY_LENGTH = 200;
const MAX_VALUE_LENGTH = 200;

/** The keys of a search table, shared among the tables that have the same. */
export interface SearchShape {
  /** Each row's key, lowercase. */
  readonly keys: readonly string[];
  /**
   * Whether each row is a string of a list, which the catalog also keeps as
   * the row `key.value` = `true`: derived when asked for, not kept.
   */
  readonly listItems: readonly boolean[];
}

/**
 * An entity's rows in the catalog's search table, which its permission
 * conditions are matched on: kept instead of the entity, it holds no more
 * than they can match, and shares its keys and equal strings with other
 * entities' (`SearchTables`).
 */
export interface SearchTable {
  readonly shape: SearchShape;
  /** Each row's value, lowercase: `null` for none, or one too long to match. */
  readonly values: readonly (string | null)[];
}

/**
 * Builds entities' search tables as the catalog builds its search table
 * (`buildEntitySearch`): the leaves of the entity by their dotted path, each
 * string of a list also as `path.item` = `true`, the name, namespace and
 * uid, and the relations by type; keys and values lowercase, none longer
 * than the catalog matches. The tables of one builder share their shapes and
 * equal strings: use one for all the entities of one read.
 */
export class SearchTables {
  readonly #strings = new Map<string, string>();
  readonly #shapes = new Map<string, SearchShape>();

  /** The one copy of this string among those of this builder's tables. */
  intern(text: string): string {
    const kept = this.#strings.get(text);
    if (kept !== undefined) return kept;
    this.#strings.set(text, text);
    return text;
  }

  table(entity: Entity): SearchTable {
    const keys: string[] = [];
    const listItems: boolean[] = [];
    const values: (string | null)[] = [];
    // The rows under each key, to keep each row once.
    const rowsByKey = new Map<string, number[]>();
    const add = (rawKey: string, rawValue: unknown, listItem = false) => {
      const key = rawKey.toLowerCase();
      if (key.length > MAX_KEY_LENGTH) return;
      let value: string | null = null;
      if (rawValue !== undefined && rawValue !== null) {
        const text = String(rawValue).toLowerCase();
        if (text.length <= MAX_VALUE_LENGTH) value = text;
      }
      const same = rowsByKey.get(key);
      if (same?.some(i => values[i] === value && listItems[i] === listItem)) {
        return;
      }
      if (same) same.push(keys.length);
      else rowsByKey.set(key, [keys.length]);
      keys.push(this.intern(key));
      listItems.push(listItem);
      values.push(value === null ? null : this.intern(value));
    };
    const visit = (path: string, current: unknown) => {
      if (SPECIAL_KEYS.has(path)) return;
      if (
        current === undefined ||
        current === null ||
        ['string', 'number', 'boolean'].includes(typeof current)
      ) {
        add(path, current);
        return;
      }
      if (typeof current !== 'object') return;
      if (Array.isArray(current)) {
        for (const item of current) {
          if (typeof item === 'string') {
            add(path, item, true);
          } else {
            visit(path, item);
          }
        }
        return;
      }
      for (const [name, value] of Object.entries(current)) {
        visit(path ? `${path}.${name}` : name, value);
      }
    };
    visit('', entity);
    add('metadata.name', entity.metadata.name);
    add('metadata.namespace', entity.metadata.namespace);
    add('metadata.uid', entity.metadata.uid);
    if (!entity.metadata.namespace) {
      add('metadata.namespace', DEFAULT_NAMESPACE);
    }
    for (const relation of entity.relations ?? []) {
      add(`relations.${relation.type}`, relation.targetRef);
    }
    // Unambiguous whatever the keys hold: each one after its length.
    const signature = keys
      .map((key, i) => `${key.length}${listItems[i] ? '*' : ':'}${key}`)
      .join('');
    let shape = this.#shapes.get(signature);
    if (!shape) {
      shape = { keys, listItems };
      this.#shapes.set(signature, shape);
    }
    return { shape, values };
  }
}

/**
 * The value of the table's row `i` under `key` (lowercase), or `undefined`
 * when that row is not under it.
 */
function valueUnder(
  table: SearchTable,
  i: number,
  key: string,
): string | null | undefined {
  const own = table.shape.keys[i];
  const value = table.values[i];
  if (own === key) return value;
  const itemKey =
    table.shape.listItems[i] &&
    value !== null &&
    key.length <= MAX_KEY_LENGTH &&
    key.length === own.length + 1 + value.length &&
    key.startsWith(own) &&
    key[own.length] === '.' &&
    key.endsWith(value);
  // The row `path.item` = `true` of a list's string.
  return itemKey ? 'true' : undefined;
}

/** The values under one key (in any case) of a search table. */
export function searchValues(
  table: SearchTable,
  key: string,
): Set<string | null> {
  const wanted = key.toLowerCase();
  const found = new Set<string | null>();
  for (let i = 0; i < table.values.length; i++) {
    const value = valueUnder(table, i, wanted);
    if (value !== undefined) found.add(value);
  }
  return found;
}

type Matcher = (table: SearchTable) => boolean;

/**
 * The conditions as one test on an entity's search rows, or the name of the
 * first rule that cannot be applied here.
 */
function compile(
  criteria: PermissionCriteria<PermissionCondition<string>>,
): Matcher | { unsupported: string } {
  const all = (
    list: unknown,
    every: boolean,
  ): Matcher | { unsupported: string } => {
    if (!Array.isArray(list)) return { unsupported: 'malformed criteria' };
    const parts: Matcher[] = [];
    for (const item of list) {
      const part = compile(item);
      if (typeof part !== 'function') return part;
      parts.push(part);
    }
    return every
      ? table => parts.every(part => part(table))
      : table => parts.some(part => part(table));
  };
  if ('allOf' in criteria) return all(criteria.allOf, true);
  if ('anyOf' in criteria) return all(criteria.anyOf, false);
  if ('not' in criteria) {
    const inner = compile(criteria.not);
    if (typeof inner !== 'function') return inner;
    return table => !inner(table);
  }
  const { rule, resourceType, params } = criteria;
  const toFilter = Object.prototype.hasOwnProperty.call(CATALOG_RULES, rule)
    ? CATALOG_RULES[rule]
    : undefined;
  const filter =
    resourceType === catalogEntityReadPermission.resourceType && toFilter
      ? toFilter((params ?? {}) as Record<string, unknown>)
      : undefined;
  if (!filter) return { unsupported: `rule ${rule}` };
  const key = filter.key.toLowerCase();
  const values =
    filter.values && new Set(filter.values.map(v => v.toLowerCase()));
  return table => {
    for (let i = 0; i < table.values.length; i++) {
      const value = valueUnder(table, i, key);
      if (value === undefined) continue;
      if (!values || (value !== null && values.has(value))) return true;
    }
    return false;
  };
}

/**
 * The entities the caller may read (`catalog.entity.read`), decided once
 * per request by the permission framework rather than by reading the
 * catalog: ALLOW is every entity, DENY none, and CONDITIONAL the entities
 * whose search tables (`SearchTables`) pass the conditions, applied in
 * memory with the catalog's built-in rules.
 */
export async function catalogReadVisibility(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): Promise<EntityVisibility> {
  const [decision] = await permissions.authorizeConditional(
    [{ permission: catalogEntityReadPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return { type: decision.result === AuthorizeResult.ALLOW ? 'all' : 'none' };
  }
  if (decision.resourceType !== catalogEntityReadPermission.resourceType) {
    return {
      type: 'unsupported',
      reason: `conditions on ${decision.resourceType}`,
    };
  }
  const matcher = compile(decision.conditions);
  if (typeof matcher !== 'function') {
    return { type: 'unsupported', reason: matcher.unsupported };
  }
  return { type: 'some', matches: matcher };
}
