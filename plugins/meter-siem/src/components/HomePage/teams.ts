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

/**
 * `Security Operations`, `Security and Platform`, `a, b and c`: by the
 * names `nameOf` gives (the catalog's display names), else the short refs.
 */
export function teamNames(
  teams: string[],
  nameOf: (team: string) => string | undefined = formatOwner,
): string {
  const names = teams.map(team => nameOf(team) ?? formatOwner(team) ?? team);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
