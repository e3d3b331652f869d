// Opens the store a DatabaseTarget names. Callers never construct a dialect themselves. The database
// itself is opened on first use (see lazy.ts), and every error leaves here classified (db-errors.ts).
import { guardStore } from './db-errors.js';
import { createKyselyStore } from './kysely-store.js';
import { lazyStore } from './lazy.js';
import type { Dialect } from './dialect.js';
import { createSqliteDialect } from './sqlite.js';
import type { SqliteDriverChoice } from './sqlite-driver.js';
import type { Store } from './store.js';

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string; driver?: SqliteDriverChoice }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface OpenStoreOptions {
  /** Apply pending migrations when the database is first opened. Default false (call migrate()). */
  migrate?: boolean;
}

export function openStore(target: DatabaseTarget, opts: OpenStoreOptions = {}): Store {
  // SQLite opens within the first call's own tick: its write probe busy-waits synchronously, so
  // deferring it could land it inside another store's open write transaction on the same file
  // (this process's writes queue per file) and block the event loop until the busy timeout.
  const create =
    target.kind === 'sqlite'
      ? () =>
          createKyselyStore(
            createSqliteDialect({ path: target.path, ...(target.driver ? { driver: target.driver } : {}) }),
          )
      : async () => createKyselyStore(await createPostgresDialect(target));
  return guardStore(lazyStore({ dialect: target.kind, create, migrate: opts.migrate ?? false }), target);
}

// pg is loaded when a PostgreSQL target is first opened, so that a SQLite command never loads it.
async function createPostgresDialect(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
): Promise<Dialect> {
  const { createPostgresDialect } = await import('./postgres.js');
  return createPostgresDialect({
    url: target.url,
    ...(target.schema ? { schema: target.schema } : {}),
    ...(target.poolSize ? { poolSize: target.poolSize } : {}),
  });
}
