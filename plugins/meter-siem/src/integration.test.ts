import { formatOwner } from './integration';

describe('formatOwner', () => {
  it.each([
    ['group:default/security', 'security'],
    ['security', 'security'],
    ['group:ops/security', 'ops/security'],
    ['user:default/jane', 'user:jane'],
    ['not:a:ref', 'not:a:ref'],
  ])('shows %s as %s, as the catalog does', (owner, shown) => {
    expect(formatOwner(owner)).toBe(shown);
  });

  it('shows nothing for no owner', () => {
    expect(formatOwner(undefined)).toBeUndefined();
    expect(formatOwner('')).toBeUndefined();
  });
});
