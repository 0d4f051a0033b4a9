import { DatabaseService } from '@backstage/backend-plugin-api';

/**
 * Who wrote each provider's entities last. A provider applies only what
 * changed since its own last write (a delta mutation) when nobody wrote
 * them since, and everything (a full mutation) otherwise: with several
 * replicas, the one that syncs now may not be the one that synced last,
 * and what it remembers is not what the catalog holds.
 */
export interface SyncLedger {
  /**
   * Records a write of `provider`'s entities, known by `token` from now
   * on, and says whether the write before it was `previous` (the caller's
   * last token): only then is the caller's memory what the catalog holds.
   */
  record(
    provider: string,
    previous: string | undefined,
    token: string,
  ): Promise<boolean>;
}

/** One process's ledger: enough when the backend runs as one replica. */
export function memoryLedger(): SyncLedger {
  const last = new Map<string, string>();
  return {
    async record(provider, previous, token) {
      const ours = previous !== undefined && last.get(provider) === previous;
      last.set(provider, token);
      return ours;
    },
  };
}

/** The table, in the catalog's database, of each provider's last write. */
export const LEDGER_TABLE = 'meter_siem_provider_writes';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/**
 * The ledger in the catalog plugin's database, shared by its replicas: one
 * row per provider, holding the token of its last write. The table is
 * created on first use (as the incremental ingestion module keeps its own
 * tables beside the catalog's).
 */
export class DatabaseSyncLedger implements SyncLedger {
  readonly #database: DatabaseService;
  #client?: Promise<Knex>;

  constructor(database: DatabaseService) {
    this.#database = database;
  }

  async record(
    provider: string,
    previous: string | undefined,
    token: string,
  ): Promise<boolean> {
    const knex = await this.#ready();
    const row = { provider_name: provider, last_write: token };
    if (previous !== undefined) {
      // Atomic: it matches only if no replica wrote since `previous`.
      const updated = await knex(LEDGER_TABLE)
        .where({ provider_name: provider, last_write: previous })
        .update({ last_write: token, written_at: knex.fn.now() });
      if (updated === 1) return true;
    }
    await knex(LEDGER_TABLE)
      .insert({ ...row, written_at: knex.fn.now() })
      .onConflict('provider_name')
      .merge();
    return false;
  }

  #ready(): Promise<Knex> {
    this.#client ??= this.#create().catch(error => {
      // Tried again at the next write.
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  async #create(): Promise<Knex> {
    const knex = await this.#database.getClient();
    if (!(await knex.schema.hasTable(LEDGER_TABLE))) {
      try {
        await knex.schema.createTable(LEDGER_TABLE, table => {
          table.comment(
            "The Meter SIEM entity providers' last writes (delta or full mutations)",
          );
          table.string('provider_name', 255).primary().notNullable();
          table.string('last_write', 64).notNullable();
          table.timestamp('written_at', { useTz: true }).notNullable();
        });
      } catch (error) {
        // Another replica made it meanwhile.
        if (!(await knex.schema.hasTable(LEDGER_TABLE))) throw error;
      }
    }
    return knex;
  }
}
