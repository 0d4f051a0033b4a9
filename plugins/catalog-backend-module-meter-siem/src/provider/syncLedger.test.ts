import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseSyncLedger, LEDGER_TABLE, memoryLedger } from './syncLedger';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL when the test command runs one (scripts/test.sh
// sets its connection string).
const ids: TestDatabaseId[] = [
  'SQLITE_3',
  ...(process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? (['POSTGRES_15'] as const)
    : []),
];
const databases = TestDatabases.create({ ids });

async function twoReplicas(id: TestDatabaseId) {
  const knex = await databases.init(id);
  const database: DatabaseService = { getClient: async () => knex };
  // Two ledgers on one database: two replicas of the catalog.
  return {
    knex,
    a: new DatabaseSyncLedger(database),
    b: new DatabaseSyncLedger(database),
  };
}

describe.each(databases.eachSupportedId())('DatabaseSyncLedger on %s', id => {
  it("says a write follows the writer's own until another replica writes", async () => {
    const { a, b } = await twoReplicas(id);
    // Nobody wrote before: not ours.
    expect(await a.record('p', undefined, 'a1')).toBe(false);
    expect(await a.record('p', 'a1', 'a2')).toBe(true);
    expect(await a.record('p', 'a2', 'a3')).toBe(true);
    // B writes: its memory is not what A applied.
    expect(await b.record('p', undefined, 'b1')).toBe(false);
    // A's next write follows B's, so A must apply everything.
    expect(await a.record('p', 'a3', 'a4')).toBe(false);
    expect(await b.record('p', 'b1', 'b2')).toBe(false);
    expect(await b.record('p', 'b2', 'b3')).toBe(true);
  });

  it('keeps each provider apart, and creates its table only once', async () => {
    const { knex, a, b } = await twoReplicas(id);
    // Both replicas create the table at once.
    await Promise.all([
      a.record('account-1', undefined, 'x'),
      b.record('account-2', undefined, 'y'),
    ]);
    expect(await a.record('account-1', 'x', 'x2')).toBe(true);
    expect(await b.record('account-2', 'y', 'y2')).toBe(true);
    expect(await a.record('account-2', 'y', 'z')).toBe(false);
    const rows = await knex(LEDGER_TABLE)
      .select('provider_name', 'last_write')
      .orderBy('provider_name');
    expect(rows).toEqual([
      { provider_name: 'account-1', last_write: 'x2' },
      { provider_name: 'account-2', last_write: 'z' },
    ]);
  });

  it('tries again after the database failed', async () => {
    const knex = await databases.init(id);
    let down = true;
    const ledger = new DatabaseSyncLedger({
      getClient: async () => {
        if (down) throw new Error('connection refused');
        return knex;
      },
    });
    await expect(ledger.record('p', undefined, 't1')).rejects.toThrow(
      'connection refused',
    );
    down = false;
    expect(await ledger.record('p', undefined, 't2')).toBe(false);
    expect(await ledger.record('p', 't2', 't3')).toBe(true);
  });
});

describe('memoryLedger', () => {
  it("says a write follows the writer's own until another writes", async () => {
    const ledger = memoryLedger();
    expect(await ledger.record('p', undefined, 'a1')).toBe(false);
    expect(await ledger.record('p', 'a1', 'a2')).toBe(true);
    expect(await ledger.record('p', undefined, 'b1')).toBe(false);
    expect(await ledger.record('p', 'a2', 'a3')).toBe(false);
    expect(await ledger.record('q', undefined, 'c1')).toBe(false);
    expect(await ledger.record('p', 'a3', 'a4')).toBe(true);
  });
});
