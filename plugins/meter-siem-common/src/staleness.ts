import { ANNOTATIONS } from './annotations';
import { RuleFinding, parseAuditFacts, ruleFinding } from './audit';

/** @public */
export interface StalenessOptions {
  /** The time the report is made at (ms since the epoch). */
  now: number;
  /** Facts older than this are reported (`facts-stale`). */
  staleAfterMs: number;
}

/**
 * How old an integration's facts are, from its entity's annotations: when
 * the provider last read them and, if a sync failed since, why.
 *
 * @public
 */
export function factsAge(
  annotations: Record<string, string>,
  now: number,
): { readAt?: string; ageMs?: number; error?: string } {
  const readAt = annotations[ANNOTATIONS.factsReadAt];
  const time = readAt ? Date.parse(readAt) : NaN;
  return {
    ...(readAt && !Number.isNaN(time) && { readAt, ageMs: now - time }),
    ...(annotations[ANNOTATIONS.factsError] && {
      error: annotations[ANNOTATIONS.factsError],
    }),
  };
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m < 120 ? `${m} minutes` : `${Math.round(m / 60)} hours`;
}

/**
 * The `facts-stale` finding of an integration whose facts are older than
 * the threshold, with the reason the syncs since failed when known.
 *
 * @public
 */
export function staleFactsFinding(
  annotations: Record<string, string>,
  options: StalenessOptions,
): RuleFinding | undefined {
  if (parseAuditFacts(annotations[ANNOTATIONS.auditFacts])?.streamPending) {
    // Not stale: unknown. The stream's own findings cannot be made yet.
    return ruleFinding(
      'facts-stale',
      'stream',
      "The stream's facts have not been read from AWS yet: the catalog reads a limited number of streams per sync, within AWS's rate limits, and this one's turn has not come. Its status, settings, tags and alarm are unknown until then (usually within minutes); the role's findings are current.",
    );
  }
  const { readAt, ageMs, error } = factsAge(annotations, options.now);
  if (ageMs === undefined || ageMs <= options.staleAfterMs) return undefined;
  return ruleFinding(
    'facts-stale',
    'integration',
    `The facts of this integration were read from AWS ${minutes(
      ageMs,
    )} ago (${readAt})${
      error
        ? `; the syncs since failed: ${error}`
        : ', and no sync has read them since'
    }. Its other findings may be out of date.`,
  );
}
