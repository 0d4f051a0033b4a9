/**
 * Who may act on an integration, whatever permission policy is installed:
 * the owner itself (a user), a member of the owning group, or a member of
 * the admin group. The backend modules feed it the caller's catalog
 * memberships, so that the rule holds even under an allow-all policy.
 *
 * @public
 */
export interface Caller {
  /** The user's entity ref, e.g. `user:default/jane.doe`. */
  userRef: string;
  /** Refs of the groups the user is a member of (catalog `memberOf`). */
  groupRefs: string[];
}

/** @public */
export type AccessDecision =
  | { allowed: true; as: 'owner' | 'member' | 'admin' }
  | { allowed: false; reason: string };

/**
 * Decides whether `caller` may act on what `ownerRef` owns.
 *
 * @public
 */
export function decideAccess(
  caller: Caller,
  ownerRef: string | undefined,
  adminGroupRef?: string,
): AccessDecision {
  const user = caller.userRef.toLowerCase();
  const groups = new Set(caller.groupRefs.map(ref => ref.toLowerCase()));
  const owner = ownerRef?.toLowerCase();
  if (owner && owner === user) return { allowed: true, as: 'owner' };
  if (owner && groups.has(owner)) return { allowed: true, as: 'member' };
  if (adminGroupRef && groups.has(adminGroupRef.toLowerCase())) {
    return { allowed: true, as: 'admin' };
  }
  return {
    allowed: false,
    reason: owner
      ? `${caller.userRef} is not a member of ${ownerRef}${
          adminGroupRef ? ` or of the admin group ${adminGroupRef}` : ''
        }`
      : `the integration has no owner, and ${
          caller.userRef
        } is not a member of the admin group${
          adminGroupRef ? ` ${adminGroupRef}` : ' (none is configured)'
        }`,
  };
}
