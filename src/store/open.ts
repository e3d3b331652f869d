// Opens the store a DatabaseTarget names. Callers never construct a dialect themselves. The database
// itself is opened on first use (see lazy.ts), and every error leaves here classified (db-errors.ts).
import { guardStore } from './db-errors.js';
import { createKyselyStore } from './kysely-store.js';
import { lazyStore } from './lazy.js';
import { createPostgresDialect } from './postgres.js';
import { createSqliteDialect } from './sqlite.js';
import type { Store } from './store.js';

export type DatabaseTarget =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface OpenStoreOptions {
  /** Apply pending migrations when the database is first opened. Default false (call migrate()). */
  migrate?: boolean;
}

export function openStore(target: DatabaseTarget, opts: OpenStoreOptions = {}): Store {
  const create = (): Store =>
    createKyselyStore(
      target.kind === 'sqlite'
        ? createSqliteDialect({ path: target.path })
        : createPostgresDialect({
            url: target.url,
            ...(target.schema ? { schema: target.schema } : {}),
            ...(target.poolSize ? { poolSize: target.poolSize } : {}),
          }),
    );
  return guardStore(lazyStore({ dialect: target.kind, create, migrate: opts.migrate ?? false }), target);
}
