// Opens the store a DatabaseTarget names. Callers never construct a dialect themselves.
import { createKyselyStore } from './kysely-store.js';
import { createPostgresDialect } from './postgres.js';
import { createSqliteDialect } from './sqlite.js';
import type { Store } from './store.js';

export type DatabaseTarget =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export function openStore(target: DatabaseTarget): Store {
  if (target.kind === 'sqlite') return createKyselyStore(createSqliteDialect({ path: target.path }));
  return createKyselyStore(
    createPostgresDialect({
      url: target.url,
      ...(target.schema ? { schema: target.schema } : {}),
      ...(target.poolSize ? { poolSize: target.poolSize } : {}),
    }),
  );
}
