import { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  EntityVisibility,
  catalogEntityReadPermission,
  catalogReadVisibility,
  SearchTables,
  searchValues,
} from './catalogAccess';
import path from 'node:path';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'hq-111111111111',
    title: 'HQ',
    annotations: {
      'meter-siem.io/account-id': '111111111111',
      'meter-siem.io/audit-facts': 'x'.repeat(500),
    },
    labels: { Tier: 'Gold' },
    tags: ['siem', 'aws'],
  },
  spec: {
    type: 'meter-siem-integration',
    owner: 'group:default/security',
    dependsOn: ['resource:default/hq-111111111111-stream'],
  },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/Security' },
    {
      type: 'dependsOn',
      targetRef: 'resource:default/hq-111111111111-stream',
    },
  ],
};

/** The catalog's own search table builder, which ours must agree with. */
const { buildEntitySearch } = require(path.join(
  path.dirname(require.resolve('@backstage/plugin-catalog-backend')),
  'database/operations/stitcher/buildEntitySearch.cjs.js',
)) as {
  buildEntitySearch: (
    id: string,
    entity: Entity,
  ) => Array<{ key: string; value: string | null }>;
};

/** Each key of the catalog's search table for the entity, with its values. */
function catalogRows(of: Entity): Map<string, Set<string | null>> {
  const rows = new Map<string, Set<string | null>>();
  for (const { key, value } of buildEntitySearch('id', of)) {
    rows.set(key, (rows.get(key) ?? new Set()).add(value));
  }
  return rows;
}

const long = `${'Long '.repeat(60)}text`;
/** An entity with every kind of leaf the catalog's search table handles. */
const tricky: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'Tricky',
    uid: 'c0ffee',
    etag: 'e1',
    description: long,
    tags: ['siem', 'SIEM', long, 'x'.repeat(190)],
    links: [
      { url: 'https://example.com/A', title: 'A' },
      { url: 'https://example.com/b', title: long },
    ],
    annotations: {
      'Example.com/Mixed-Case': 'Yes',
      [`k${'e'.repeat(220)}`]: 'v',
    },
  },
  spec: {
    type: 'meter-siem-integration',
    count: 3,
    enabled: false,
    nothing: null,
    nested: { deeper: { list: [['a', 'B'], [{ leaf: 'c' }]] } },
    empty: [],
    emptyText: '',
  },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/Security' },
    { type: 'ownedBy', targetRef: 'group:default/security' },
  ],
  status: { items: [{ type: 'x', level: 'error', message: 'm' }] },
} as Entity;

describe('SearchTables', () => {
  it('holds the rows of the catalog’s own search table, under every key', () => {
    for (const subject of [entity, tricky]) {
      const table = new SearchTables().table(subject);
      const expected = catalogRows(subject);
      expect(expected.size).toBeGreaterThan(10);
      for (const [key, values] of expected) {
        expect([key, searchValues(table, key)]).toEqual([key, values]);
      }
      // Nothing under a key the catalog does not have.
      for (const key of table.shape.keys) expect(expected.has(key)).toBe(true);
      const absent = [
        'relations',
        'status.items.type',
        'metadata.etag',
        // A list's string whose row `path.item` is too long a key.
        `metadata.tags.${'x'.repeat(190)}`,
      ];
      for (const key of absent) {
        expect(expected.has(key)).toBe(false);
        expect(searchValues(table, key)).toEqual(new Set());
      }
    }
  });

  it('matches keys in any case', () => {
    const table = new SearchTables().table(entity);
    expect(searchValues(table, 'metadata.Labels.Tier')).toEqual(
      new Set(['gold']),
    );
    expect(
      searchValues(
        table,
        'spec.dependsOn.resource:default/HQ-111111111111-stream',
      ),
    ).toEqual(new Set(['true']));
  });

  it('shares keys and equal strings among the tables of one builder, and keeps no long ones', () => {
    const tables = new SearchTables();
    const a = tables.table(entity);
    const b = tables.table({
      ...entity,
      metadata: { ...entity.metadata, name: 'other-111111111111' },
    });
    expect(b.shape).toBe(a.shape);
    expect(b.values).not.toBe(a.values);
    const owner = a.shape.keys.indexOf('spec.owner');
    expect(b.values[owner]).toBe(a.values[owner]);
    expect(tables.intern(`group:default/${'security'}`)).toBe(a.values[owner]);
    // A different set of keys is a different shape.
    expect(tables.table(tricky).shape).not.toBe(a.shape);
    // No long text, none of the audit facts: what no condition can match.
    const held = JSON.stringify(tables.table(tricky));
    expect(held).not.toContain('long long');
    expect(JSON.stringify(a)).not.toContain('xxxxx');
  });
});

function permissionsAnswering(decision: PolicyDecision): PermissionsService {
  return {
    authorize: jest.fn(),
    authorizeConditional: jest.fn(async requests => {
      expect(requests).toEqual([{ permission: catalogEntityReadPermission }]);
      return [decision] as any;
    }),
  };
}

async function visibility(decision: PolicyDecision) {
  return catalogReadVisibility(
    permissionsAnswering(decision),
    mockCredentials.user('user:default/jane'),
  );
}

/** Whether the entity passes these conditions, or why they cannot be applied. */
async function passes(
  conditions: PermissionCriteria<PermissionCondition<string>>,
  resourceType = 'catalog-entity',
): Promise<boolean | string> {
  const result: EntityVisibility = await visibility({
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType,
    conditions,
  });
  if (result.type === 'unsupported') return result.reason;
  if (result.type !== 'some') throw new Error(result.type);
  return result.matches(new SearchTables().table(entity));
}

const rule = (name: string, params: Record<string, unknown>) => ({
  rule: name,
  resourceType: 'catalog-entity',
  params: params as any,
});

describe('catalogReadVisibility', () => {
  it('is the catalog’s read permission', () => {
    expect(catalogEntityReadPermission).toEqual({
      type: 'resource',
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
      resourceType: 'catalog-entity',
    });
  });

  it('sees everything when allowed, nothing when denied', async () => {
    expect(await visibility({ result: AuthorizeResult.ALLOW })).toEqual({
      type: 'all',
    });
    expect(await visibility({ result: AuthorizeResult.DENY })).toEqual({
      type: 'none',
    });
  });

  it('applies the catalog’s built-in rules as the catalog’s queries do', async () => {
    const owner = (claims: string[]) => rule('IS_ENTITY_OWNER', { claims });
    expect(await passes(owner(['group:default/security']))).toBe(true);
    expect(await passes(owner(['GROUP:default/SECURITY']))).toBe(true);
    expect(await passes(owner(['user:default/jane']))).toBe(false);
    expect(await passes(rule('IS_ENTITY_KIND', { kinds: ['Resource'] }))).toBe(
      true,
    );
    expect(await passes(rule('IS_ENTITY_KIND', { kinds: ['group'] }))).toBe(
      false,
    );
    const annotation = (value?: string) =>
      rule('HAS_ANNOTATION', {
        annotation: 'meter-siem.io/account-id',
        ...(value !== undefined && { value }),
      });
    expect(await passes(annotation())).toBe(true);
    expect(await passes(annotation('111111111111'))).toBe(true);
    expect(await passes(annotation('222222222222'))).toBe(false);
    expect(
      await passes(rule('HAS_ANNOTATION', { annotation: 'backstage.io/x' })),
    ).toBe(false);
    expect(
      await passes(rule('HAS_LABEL', { label: 'tier', value: 'gold' })),
    ).toBe(true);
    expect(
      await passes(
        rule('HAS_SPEC', { key: 'type', value: 'meter-siem-integration' }),
      ),
    ).toBe(true);
    expect(
      await passes(
        rule('HAS_SPEC', {
          key: 'dependsOn',
          value: 'resource:default/hq-111111111111-stream',
        }),
      ),
    ).toBe(true);
    expect(
      await passes(rule('HAS_METADATA', { key: 'title', value: 'hq' })),
    ).toBe(true);
    expect(await passes(rule('HAS_METADATA', { key: 'description' }))).toBe(
      false,
    );
  });

  it('combines them with allOf, anyOf and not', async () => {
    const mine = rule('IS_ENTITY_OWNER', { claims: ['user:default/jane'] });
    const resource = rule('IS_ENTITY_KIND', { kinds: ['resource'] });
    expect(await passes({ anyOf: [mine, resource] })).toBe(true);
    expect(await passes({ allOf: [mine, resource] })).toBe(false);
    expect(await passes({ not: mine })).toBe(true);
    expect(
      await passes({ allOf: [{ not: mine }, { anyOf: [resource] }] }),
    ).toBe(true);
  });

  it('leaves to the catalog what it cannot apply here', async () => {
    expect(await passes(rule('IS_IN_SYSTEM', { systemRef: 'x' }))).toBe(
      'rule IS_IN_SYSTEM',
    );
    expect(
      await passes({
        anyOf: [
          rule('IS_ENTITY_KIND', { kinds: ['resource'] }),
          { not: rule('CUSTOM', {}) },
        ],
      }),
    ).toBe('rule CUSTOM');
    // Parameters the catalog's rule would refuse.
    expect(await passes(rule('IS_ENTITY_OWNER', { claims: 'x' }))).toBe(
      'rule IS_ENTITY_OWNER',
    );
    expect(await passes(rule('toString', {}))).toBe('rule toString');
    expect(
      await passes(rule('IS_ENTITY_KIND', { kinds: ['resource'] }), 'other'),
    ).toBe('conditions on other');
  });
});
