import { METER_WRITE_ACTIONS } from './constants';
import {
  PolicyDocument,
  PolicyStatement,
  matchesResource,
  patternsOverlap,
  resourcesOf,
  statementCoversAction,
  statementsOf,
} from './policies';

/** A Kinesis stream ARN naming one stream, without wildcards. */
const SPECIFIC_STREAM_ARN =
  /^arn:[^:*?]+:kinesis:[^:*?]+:\d{12}:stream\/[^*?]+$/;

/**
 * The shape of every Kinesis stream ARN, as a resource pattern whose stars
 * stay within their ARN segment.
 */
const ANY_STREAM_PATTERN = 'arn:?*:kinesis:?*:?*:stream/?*';

/** Whether an Allow statement lets its holder write the way Meter writes. */
function writes(statement: PolicyStatement): boolean {
  return (
    statement.Effect === 'Allow' &&
    METER_WRITE_ACTIONS.some(action => statementCoversAction(statement, action))
  );
}

/**
 * The resource patterns on which a permissions policy lets its holder write
 * the way Meter writes (`kinesis:PutRecord` or `kinesis:PutRecords`, by any
 * action pattern or `NotAction` covering them), wildcards included. A
 * `NotResource` statement reaches everything but what it lists, read as
 * `*`.
 *
 * @public
 */
export function writableResourcePatterns(policy: PolicyDocument): string[] {
  const patterns = new Set<string>();
  for (const statement of statementsOf(policy)) {
    if (!writes(statement)) continue;
    const reach =
      statement.NotResource !== undefined ? ['*'] : resourcesOf(statement);
    for (const resource of reach) patterns.add(resource);
  }
  return [...patterns].sort();
}

/**
 * The Kinesis stream ARNs a permissions policy lets its holder write to, the
 * way Meter writes (`kinesis:PutRecord` or `kinesis:PutRecords`).
 *
 * Wildcard resources are left out: they name no particular stream, so they
 * cannot tell which stream an integration delivers to (see
 * {@link writableResourcePatterns} and {@link mayWriteStreams}).
 *
 * @public
 */
export function writableStreamArns(policy: PolicyDocument): string[] {
  return writableResourcePatterns(policy).filter(resource =>
    SPECIFIC_STREAM_ARN.test(resource),
  );
}

/**
 * Whether resource patterns a policy lets Meter write on can reach any
 * Kinesis stream at all (`*`, `arn:aws:kinesis:*:*:stream/*`, a stream
 * ARN…).
 *
 * @public
 */
export function mayWriteStreams(patterns: string[]): boolean {
  return patterns.some(pattern =>
    patternsOverlap(pattern, ANY_STREAM_PATTERN, { segmentStars: true }),
  );
}

/**
 * Whether resource patterns cover one stream, as IAM matches them
 * (case-sensitive, `*` and `?` wildcards).
 *
 * @public
 */
export function coversStream(patterns: string[], streamArn: string): boolean {
  return patterns.some(pattern => matchesResource(pattern, streamArn));
}
