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
  searchable,
  searchRowsOf,
  searchValues,
} from './catalogAccess';

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

describe('searchValues', () => {
  it('holds the values of the catalog’s search table', () => {
    const rows = (key: string) => searchValues(entity, key);
    expect(rows('kind')).toEqual(new Set(['resource']));
    expect(rows('metadata.namespace')).toEqual(new Set(['default']));
    expect(rows('metadata.labels.tier')).toEqual(new Set(['gold']));
    expect(rows('metadata.Labels.Tier')).toEqual(new Set(['gold']));
    expect(rows('metadata.tags')).toEqual(new Set(['siem', 'aws']));
    expect(rows('metadata.tags.siem')).toEqual(new Set(['true']));
    expect(rows('spec.owner')).toEqual(new Set(['group:default/security']));
    expect(
      rows('spec.dependson.resource:default/hq-111111111111-stream'),
    ).toEqual(new Set(['true']));
    expect(rows('relations.ownedby')).toEqual(
      new Set(['group:default/security']),
    );
    expect(rows('metadata.annotations.meter-siem.io/account-id')).toEqual(
      new Set(['111111111111']),
    );
    // Too long a value is kept as none, as the catalog does.
    expect(rows('metadata.annotations.meter-siem.io/audit-facts')).toEqual(
      new Set([null]),
    );
    // Nothing under a key the entity lacks, or one the catalog leaves out.
    expect(rows('spec.lifecycle')).toEqual(new Set());
    expect(rows('relations')).toEqual(new Set());
    const cached = searchRowsOf(entity);
    expect(cached('kind')).toBe(cached('kind'));
  });
});

describe('searchable', () => {
  it('answers every search key as the entity does, without its long strings', () => {
    const long = `${'Long '.repeat(60)}text`;
    const full: Entity = {
      ...entity,
      metadata: {
        ...entity.metadata,
        description: long,
        tags: [...entity.metadata.tags!, long],
        links: [{ url: 'https://example.com/a', title: long }],
      },
    };
    const slim = searchable(full);
    const keys = [
      'kind',
      'metadata.name',
      'metadata.namespace',
      'metadata.title',
      'metadata.description',
      'metadata.tags',
      'metadata.tags.siem',
      `metadata.tags.${long}`.slice(0, 200),
      'metadata.links.url',
      'metadata.links.title',
      'metadata.labels.tier',
      'metadata.annotations.meter-siem.io/account-id',
      'metadata.annotations.meter-siem.io/audit-facts',
      'spec.owner',
      'spec.dependson',
      'relations.ownedby',
      'relations.dependson',
    ];
    for (const key of keys) {
      expect([key, searchValues(slim, key)]).toEqual([
        key,
        searchValues(full, key),
      ]);
    }
    expect(searchValues(slim, 'metadata.description')).toEqual(new Set([null]));
    expect(JSON.stringify(slim)).not.toContain('Long Long');
    expect(JSON.stringify(slim)).not.toContain('xxxxx');
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
  return result.matches(searchRowsOf(entity));
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
