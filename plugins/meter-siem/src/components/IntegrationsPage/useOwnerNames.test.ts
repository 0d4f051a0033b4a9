import { Entity } from '@backstage/catalog-model';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  formatEncryption,
  ownerDisplayName,
  ownerEntityRef,
} from '../../integration';
import { readOwnerEntities } from './useOwnerNames';

const group = (name: string, spec: object = {}, title?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default', ...(title && { title }) },
  spec: { type: 'team', children: [], ...spec },
});

describe('ownerEntityRef', () => {
  it.each([
    ['security', 'group:default/security'],
    ['group:default/Security', 'group:default/security'],
    ['user:jane', 'user:default/jane'],
  ])('reads %s as %s', (owner, ref) => {
    expect(ownerEntityRef(owner)).toBe(ref);
  });

  it('reads no ref from nothing or from a malformed value', () => {
    expect(ownerEntityRef(undefined)).toBeUndefined();
    expect(ownerEntityRef('group:')).toBeUndefined();
  });
});

describe('ownerDisplayName', () => {
  it("prefers the profile's display name, then the title, then the short ref", () => {
    const ref = 'group:default/security';
    expect(
      ownerDisplayName(
        ref,
        group('security', { profile: { displayName: 'Security Operations' } }),
      ),
    ).toBe('Security Operations');
    expect(ownerDisplayName(ref, group('security', {}, 'SecOps'))).toBe(
      'SecOps',
    );
    expect(
      ownerDisplayName(
        ref,
        group('security', { profile: { displayName: ' ' } }),
      ),
    ).toBe('security');
    expect(ownerDisplayName(ref)).toBe('security');
    expect(ownerDisplayName(undefined)).toBeUndefined();
  });
});

describe('readOwnerEntities', () => {
  it('reads each owner once, by its full ref', async () => {
    const api = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn(async () => ({
        items: [group('network'), undefined],
      })),
    });
    const owners = await readOwnerEntities(api, [
      'group:default/network',
      'network',
      'ghosts',
      undefined,
    ]);
    expect(api.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(api.getEntitiesByRefs).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRefs: ['group:default/ghosts', 'group:default/network'],
      }),
    );
    expect([...owners.keys()]).toEqual(['group:default/ghosts']);
  });

  it('asks nothing without owners, and fails into no names', async () => {
    const api = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn().mockRejectedValue(new Error('down')),
    });
    expect((await readOwnerEntities(api, [])).size).toBe(0);
    expect(api.getEntitiesByRefs).not.toHaveBeenCalled();
    expect((await readOwnerEntities(api, ['security'])).size).toBe(0);
  });
});

describe('formatEncryption', () => {
  it.each([
    ['NONE', 'None'],
    ['KMS_AWS_MANAGED', 'KMS, AWS managed key'],
    ['KMS_CUSTOMER_KEY', 'KMS, customer key'],
    ['SOMETHING_NEW', 'SOMETHING_NEW'],
  ])('says %s as %s', (value, words) => {
    expect(formatEncryption(value)).toBe(words);
  });
});
