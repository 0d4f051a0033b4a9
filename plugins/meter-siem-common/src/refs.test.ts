import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { LIMITS } from './limits';
import {
  OWNER_KINDS,
  comparableOwner,
  ownerRefFromTag,
  parseCatalogRef,
  systemRefFromTag,
} from './refs';

describe('parseCatalogRef', () => {
  it.each([
    ['security', 'group:default/security'],
    ['default/security', 'group:default/security'],
    ['group:security', 'group:default/security'],
    ['group:default/security', 'group:default/security'],
    ['user:platform/Jane.Doe', 'user:platform/Jane.Doe'],
    // The catalog's rules, not tighter ones: runs of separators are names.
    ['group:default/sec--urity', 'group:default/sec--urity'],
    ['group:my--ns/security', 'group:my--ns/security'],
  ])('reads %p as %p', (value, ref) => {
    expect(parseCatalogRef(value, OWNER_KINDS)).toBe(ref);
  });

  it.each([
    [undefined],
    [42],
    [''],
    ['team a'],
    [' security'],
    ['component:x'],
    ['Group:security'],
    ['group:Default/security'],
    ['group:my.ns/security'],
    ['group:default/'],
    [':security'],
    ['a/b/c'],
    ['group:default/-security'],
    ['x'.repeat(LIMITS.entityName.max + 1)],
  ])('refuses %p as the catalog spells refs', value => {
    expect(parseCatalogRef(value, OWNER_KINDS)).toBeUndefined();
  });

  it('reads refs as people write them when loose', () => {
    expect(
      parseCatalogRef(' Group:Default/security ', OWNER_KINDS, { loose: true }),
    ).toBe('group:default/security');
    expect(
      parseCatalogRef('Component:x', OWNER_KINDS, { loose: true }),
    ).toBeUndefined();
  });

  it('takes the first allowed kind as the default', () => {
    expect(parseCatalogRef('network', ['system'])).toBe(
      'system:default/network',
    );
    expect(parseCatalogRef('group:network', ['system'])).toBeUndefined();
  });

  it('allows the names the catalog allows, up to its longest', () => {
    const longest = 'x'.repeat(LIMITS.entityName.max);
    expect(KubernetesValidatorFunctions.isValidObjectName(longest)).toBe(true);
    expect(parseCatalogRef(longest, OWNER_KINDS)).toBe(
      `group:default/${longest}`,
    );
  });
});

describe('ownerRefFromTag', () => {
  it.each([
    ['security', 'group:default/security'],
    ['group:default/security', 'group:default/security'],
    ['Group:Default/security', 'group:default/security'],
    ['platform/security', 'group:platform/security'],
    ['user:jane.doe', 'user:default/jane.doe'],
  ])('reads %s as %s', (value, ref) => {
    expect(ownerRefFromTag(value)).toBe(ref);
  });

  it.each([
    [undefined],
    [''],
    ['Network Team'],
    ['component:default/x'],
    ['group:default/'],
    ['a/b/c'],
    ['x'.repeat(64)],
  ])('rejects %s', value => {
    expect(ownerRefFromTag(value)).toBeUndefined();
  });
});

describe('systemRefFromTag', () => {
  it.each([
    ['network', 'system:default/network'],
    [' System:Default/network', 'system:default/network'],
  ])('reads %p as %p', (value, ref) => {
    expect(systemRefFromTag(value)).toBe(ref);
  });

  it.each([[undefined], ['group:default/network'], ['my system']])(
    'rejects %p',
    value => {
      expect(systemRefFromTag(value)).toBeUndefined();
    },
  );
});

describe('comparableOwner', () => {
  it('gives one form for every way of writing one owner', () => {
    const forms = [
      'security',
      'group:security',
      'default/security',
      ' Group:Default/Security',
    ].map(comparableOwner);
    expect(new Set(forms)).toEqual(new Set(['group:default/security']));
  });

  it('keeps a value naming no owner, in lower case', () => {
    expect(comparableOwner('Network Team')).toBe('network team');
  });
});
