import { METER_WRITE_ACTIONS } from './constants';
import {
  PolicyDocument,
  PolicyStatement,
  actionsOf,
  resourcesOf,
} from './policies';

/** IAM action patterns are case-insensitive globs with `*` and `?`. */
function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/**
 * The Kinesis stream ARNs a permissions policy lets its holder write to, the
 * way Meter writes (`kinesis:PutRecord` or `kinesis:PutRecords`).
 *
 * Wildcard resources are left out: they name no particular stream, so they
 * cannot tell which stream an integration delivers to.
 *
 * @public
 */
export function writableStreamArns(policy: PolicyDocument): string[] {
  const arns = new Set<string>();
  // IAM accepts a single statement object in place of a list.
  const statements: PolicyStatement[] = [policy.Statement ?? []].flat();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const writes = actionsOf(statement).some(pattern =>
      METER_WRITE_ACTIONS.some(action => actionMatches(pattern, action)),
    );
    if (!writes) continue;
    for (const resource of resourcesOf(statement)) {
      if (/^arn:[^:]+:kinesis:[^:*?]+:\d{12}:stream\/[^*?]+$/.test(resource)) {
        arns.add(resource);
      }
    }
  }
  return [...arns].sort();
}
