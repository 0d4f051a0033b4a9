import { planRefresh, reachableMaxAgeMs } from './refreshPlan';

const MINUTE = 60_000;
const now = Date.parse('2026-11-28T12:00:00Z');
const ago = (minutes: number) => now - minutes * MINUTE;
/** 15 minutes' maximum age, a sync a minute reading for 45 s. */
const options = {
  now,
  maxAgeMs: 15 * MINUTE,
  horizonMs: MINUTE + 45_000,
  elapsedMs: MINUTE,
};

describe('planRefresh', () => {
  it('reads what was never read first, then what falls due, oldest first', () => {
    const plan = planRefresh(
      [
        { key: 'fresh', readAt: ago(1) },
        { key: 'due', readAt: ago(14) },
        { key: 'new' },
        { key: 'overdue', readAt: ago(20) },
      ],
      { ...options, elapsedMs: 0 },
    );
    expect(plan).toEqual({
      read: ['new', 'overdue', 'due'],
      reuse: ['fresh'],
      unread: [],
      overdue: 0,
    });
  });

  it('re-reads nothing right after a sync when nothing is due', () => {
    const candidates = Array.from({ length: 500 }, (_, i) => ({
      key: `s${i}`,
      readAt: ago(i % 10),
    }));
    const plan = planRefresh(candidates, { ...options, elapsedMs: 0 });
    expect(plan.read).toEqual([]);
    expect(plan.reuse).toHaveLength(500);
  });

  it('spreads re-reads over the cycle: facts read together do not fall due together', () => {
    // 1,300 streams all read a minute ago: 100 a sync keeps up with a
    // cycle of 13.25 minutes (the maximum age less the horizon).
    const candidates = Array.from({ length: 1300 }, (_, i) => ({
      key: `s${String(i).padStart(4, '0')}`,
      readAt: ago(1) + i,
    }));
    const plan = planRefresh(candidates, options);
    expect(plan.read).toHaveLength(Math.floor((1300 * 60) / 795));
    // The oldest ones.
    expect(plan.read[0]).toBe('s0000');
  });

  it('keeps within its capacity, and says what is left unread or overdue', () => {
    const plan = planRefresh(
      [
        { key: 'a' },
        { key: 'b' },
        { key: 'c', readAt: ago(30) },
        { key: 'd', readAt: ago(29) },
      ],
      { ...options, capacity: 3 },
    );
    expect(plan).toEqual({
      read: ['a', 'b', 'c'],
      reuse: ['d'],
      unread: [],
      overdue: 1,
    });
    expect(
      planRefresh([{ key: 'a' }, { key: 'b' }], { ...options, capacity: 1 })
        .unread,
    ).toEqual(['b']);
  });

  it('reads everything when nothing may be reused', () => {
    const plan = planRefresh(
      [
        { key: 'a', readAt: now },
        { key: 'b', readAt: now - 1 },
      ],
      { now, maxAgeMs: 0, horizonMs: 0, elapsedMs: 0 },
    );
    expect(plan.read).toEqual(['b', 'a']);
  });
});

describe('reachableMaxAgeMs', () => {
  const sync = { readBudgetMs: 45_000, intervalMs: MINUTE };

  it('is the cycle of syncs it takes to re-read every stream', () => {
    // 500 streams at 4 a second, 180 a sync: 3 syncs.
    expect(reachableMaxAgeMs({ count: 500, readsPerSecond: 4, ...sync })).toBe(
      3 * MINUTE,
    );
    // 5,000 in one region: 28 syncs, beyond 15 minutes.
    expect(reachableMaxAgeMs({ count: 5000, readsPerSecond: 4, ...sync })).toBe(
      28 * MINUTE,
    );
    expect(reachableMaxAgeMs({ count: 0, readsPerSecond: 4, ...sync })).toBe(0);
  });
});
