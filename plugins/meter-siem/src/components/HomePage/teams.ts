import { parseEntityRef } from '@backstage/catalog-model';
import { formatOwner } from '../../integration';

/**
 * The groups among the signed-in user's ownership refs (the user's own ref
 * is left out): the user's teams, in the form the catalog is asked for.
 */
export function teamRefs(ownershipEntityRefs: string[]): string[] {
  return ownershipEntityRefs.filter(ref => {
    try {
      return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group';
    } catch {
      return false;
    }
  });
}

/** `security`, `security and platform`, `a, b and c`. */
export function teamNames(teams: string[]): string {
  const names = teams.map(team => formatOwner(team) ?? team);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
