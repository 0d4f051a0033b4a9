/**
 * Which cached facts a sync re-reads: a rolling refresh that keeps every
 * fact younger than a maximum age, within what the sync may spend.
 */

/** Something whose facts are cached, with when they were read. */
export interface RefreshCandidate {
  /** What to read, e.g. a stream's name. */
  key: string;
  /** When its cached facts were read (ms since the epoch); absent: never. */
  readAt?: number;
}

export interface RefreshPlanOptions {
  /** The time of the sync (ms since the epoch). */
  now: number;
  /** Facts must stay younger than this. */
  maxAgeMs: number;
  /**
   * How long after this sync the facts it reuses are still used: until the
   * next sync has committed (the time between syncs and a sync's reads).
   */
  horizonMs: number;
  /**
   * The time since the previous sync of these facts (0 for the first): the
   * share of a refresh cycle to read now, so that reads spread evenly over
   * the cycle instead of all falling due at once.
   */
  elapsedMs: number;
  /** At most this many reads (default: no limit but the sync's time). */
  capacity?: number;
}

export interface RefreshPlan {
  /**
   * What to read, in order: what was never read first, then the oldest
   * first. A sync reads in this order until its time is up.
   */
  read: string[];
  /** Cached facts reused as they are. */
  reuse: string[];
  /** Never read, and not planned: to be shown as not read yet. */
  unread: string[];
  /**
   * How many reused facts will be past the maximum age before the next
   * sync: the capacity did not reach them.
   */
  overdue: number;
}

/**
 * Plans a sync's reads.
 *
 * - What was never read is always read first: it has no facts at all.
 * - A fact that would reach the maximum age before the next sync has
 *   committed is due, and re-read oldest first.
 * - Besides, the oldest facts are re-read at the pace of a full cycle (all
 *   facts once per `maxAgeMs - horizonMs`), pro rata the time elapsed since
 *   the previous sync: facts read together (the first sync, a long pause)
 *   spread out over the cycle instead of falling due together, and a sync
 *   right after another re-reads nothing.
 */
export function planRefresh(
  candidates: RefreshCandidate[],
  options: RefreshPlanOptions,
): RefreshPlan {
  const { now, maxAgeMs, horizonMs, elapsedMs } = options;
  const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  const never: string[] = [];
  const cached: Array<{ key: string; readAt: number }> = [];
  for (const { key, readAt } of candidates) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (readAt === undefined) never.push(key);
    else cached.push({ key, readAt });
  }
  cached.sort((a, b) => a.readAt - b.readAt || a.key.localeCompare(b.key));
  const dueUpTo = now + horizonMs - maxAgeMs;
  const due = cached.filter(c => c.readAt <= dueUpTo).length;
  const cycleMs = Math.max(maxAgeMs - horizonMs, 1);
  const share = Math.min(
    cached.length,
    Math.floor((cached.length * Math.max(elapsedMs, 0)) / cycleMs),
  );
  const wanted = never.length + Math.max(due, share);
  const count = Math.max(0, Math.min(capacity, wanted));
  const order = [...never, ...cached.map(c => c.key)];
  const read = order.slice(0, count);
  const cachedRead = Math.max(0, count - never.length);
  return {
    read,
    reuse: cached.slice(cachedRead).map(c => c.key),
    unread: never.slice(count),
    overdue: Math.max(0, due - cachedRead),
  };
}

/**
 * How old facts get at most when every sync reads all it can: `count`
 * facts, `readsPerSecond` reads a second during `readBudgetMs` of each
 * sync, a sync every `intervalMs` (or back to back when they take
 * longer). Each fact is re-read once a cycle of as many syncs as it takes
 * to read them all.
 */
export function reachableMaxAgeMs(options: {
  count: number;
  readsPerSecond: number;
  readBudgetMs: number;
  intervalMs: number;
}): number {
  const { count, readsPerSecond, readBudgetMs, intervalMs } = options;
  if (count <= 0) return 0;
  const perSync = Math.max(
    1,
    Math.floor((readsPerSecond * readBudgetMs) / 1000),
  );
  const period = Math.max(intervalMs, readBudgetMs);
  return Math.ceil(count / perSync) * period;
}
