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
      /** Whether an entity, by its search rows, passes the conditions. */
      matches: (rows: SearchRows) => boolean;
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

/**
 * An entity's rows in the catalog's search table, by lowercase key: the
 * lowercase values under it (`null` for none, or one too long to match).
 */
export type SearchRows = (key: string) => ReadonlySet<string | null>;

/**
 * The values the catalog's search table holds under one key for an entity,
 * which its permission conditions are matched on (as `buildEntitySearch`
 * makes them): the leaves of the entity by their dotted path, each string
 * of a list also as `path.item` = `true`, and the relations by type. Only
 * the branches that lead to the key are walked.
 */
export function searchValues(entity: Entity, key: string): Set<string | null> {
  const wanted = key.toLowerCase();
  const values = new Set<string | null>();
  if (wanted.length > MAX_KEY_LENGTH) return values;
  const add = (rawValue: unknown) => {
    if (rawValue === undefined || rawValue === null) {
      values.add(null);
      return;
    }
    const text = String(rawValue).toLowerCase();
    values.add(text.length <= MAX_VALUE_LENGTH ? text : null);
  };
  if (wanted.startsWith('relations.')) {
    // Only from the relations, which are no leaves of their own.
    for (const relation of entity.relations ?? []) {
      if (`relations.${relation.type}`.toLowerCase() === wanted) {
        add(relation.targetRef);
      }
    }
    return values;
  }
  for (const map of ['annotations', 'labels'] as const) {
    const prefix = `metadata.${map}.`;
    if (wanted.startsWith(prefix)) {
      // Flat maps of strings: each key is one leaf.
      for (const [name, value] of Object.entries(entity.metadata[map] ?? {})) {
        if (`${prefix}${name}`.toLowerCase() === wanted) add(value);
      }
      return values;
    }
  }
  const visit = (path: string, current: unknown) => {
    const lower = path.toLowerCase();
    if (SPECIAL_KEYS.has(path)) return;
    if (lower !== wanted && !wanted.startsWith(lower ? `${lower}.` : '')) {
      return;
    }
    if (
      current === undefined ||
      current === null ||
      ['string', 'number', 'boolean'].includes(typeof current)
    ) {
      if (lower === wanted) add(current);
      return;
    }
    if (typeof current !== 'object') return;
    if (Array.isArray(current)) {
      for (const item of current) {
        visit(path, item);
        if (
          typeof item === 'string' &&
          `${lower}.${item.toLowerCase()}` === wanted
        ) {
          add(true);
        }
      }
      return;
    }
    for (const [name, value] of Object.entries(current)) {
      visit(path ? `${path}.${name}` : name, value);
    }
  };
  visit('', entity);
  if (wanted === 'metadata.name') add(entity.metadata.name);
  if (wanted === 'metadata.namespace') {
    add(entity.metadata.namespace ?? DEFAULT_NAMESPACE);
  }
  if (wanted === 'metadata.uid') add(entity.metadata.uid);
  return values;
}

/** Stands for every string longer than the search table matches. */
const TOO_LONG = '…'.repeat(MAX_VALUE_LENGTH + 1);

/**
 * The entity as far as its search rows tell: each string longer than the
 * catalog matches (as a value, or as a list item within a key) replaced by
 * one shared string as unmatchable, so that what is kept for permission
 * conditions does not hold what no condition can match (the audit facts,
 * long descriptions). `searchValues` answers the same for both.
 */
export function searchable(entity: Entity): Entity {
  const slim = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.length > MAX_VALUE_LENGTH ? TOO_LONG : value;
    }
    if (Array.isArray(value)) return value.map(slim);
    if (value && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) copy[key] = slim(item);
      return copy;
    }
    return value;
  };
  return slim(entity) as Entity;
}

/** An entity's search rows, each key's values read once. */
export function searchRowsOf(entity: Entity): SearchRows {
  const cache = new Map<string, Set<string | null>>();
  return key => {
    let values = cache.get(key);
    if (!values) cache.set(key, (values = searchValues(entity, key)));
    return values;
  };
}

type Matcher = (rows: SearchRows) => boolean;

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
      ? rows => parts.every(part => part(rows))
      : rows => parts.some(part => part(rows));
  };
  if ('allOf' in criteria) return all(criteria.allOf, true);
  if ('anyOf' in criteria) return all(criteria.anyOf, false);
  if ('not' in criteria) {
    const inner = compile(criteria.not);
    if (typeof inner !== 'function') return inner;
    return rows => !inner(rows);
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
  const values = filter.values?.map(v => v.toLowerCase());
  if (!values) return rows => rows(key).size > 0;
  return rows => {
    const present = rows(key);
    return values.some(v => present.has(v));
  };
}

/**
 * The entities the caller may read (`catalog.entity.read`), decided once
 * per request by the permission framework rather than by reading the
 * catalog: ALLOW is every entity, DENY none, and CONDITIONAL the entities
 * whose search rows (`searchRowsOf`) pass the conditions, applied in
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
