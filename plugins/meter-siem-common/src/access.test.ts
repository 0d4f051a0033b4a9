import { decideAccess } from './access';

const jane = {
  userRef: 'user:default/jane.doe',
  groupRefs: ['group:default/security'],
};
const sam = {
  userRef: 'user:default/sam.lee',
  groupRefs: ['group:default/network-engineering'],
};
const alex = {
  userRef: 'user:default/alex.kim',
  groupRefs: ['group:default/platform'],
};
const admin = 'group:default/platform';

describe('decideAccess', () => {
  it('lets members of the owning group act', () => {
    expect(decideAccess(jane, 'group:default/security', admin)).toEqual({
      allowed: true,
      as: 'member',
    });
  });

  it('compares refs case-insensitively', () => {
    expect(decideAccess(jane, 'Group:default/Security').allowed).toBe(true);
  });

  it('lets a user who owns the integration act', () => {
    expect(decideAccess(jane, 'user:default/jane.doe')).toEqual({
      allowed: true,
      as: 'owner',
    });
  });

  it('refuses a member of another team, naming who and what', () => {
    expect(decideAccess(sam, 'group:default/security', admin)).toEqual({
      allowed: false,
      reason:
        'user:default/sam.lee is not a member of group:default/security or of the admin group group:default/platform',
    });
  });

  it('lets the admin group act on any integration, even without owner', () => {
    expect(decideAccess(alex, 'group:default/security', admin)).toEqual({
      allowed: true,
      as: 'admin',
    });
    expect(decideAccess(alex, undefined, admin).allowed).toBe(true);
  });

  it('refuses everyone but admins when there is no owner', () => {
    const decision = decideAccess(jane, undefined);
    expect(decision.allowed).toBe(false);
    expect(decision).toMatchObject({
      reason: expect.stringContaining('none is configured'),
    });
  });

  it('does not treat the admin group as configured when none is given', () => {
    expect(decideAccess(alex, 'group:default/security').allowed).toBe(false);
  });
});
