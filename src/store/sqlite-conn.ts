// One SQLite connection, whichever library opened it: Kysely's SqliteDialect gets a
// better-sqlite3-shaped `database`, and the dialect's own few raw statements (pragmas, the write
// probe, migrations) go through exec/value/run. node:sqlite is adapted to that shape here.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export interface SqliteConnection {
  readonly driver: 'node' | 'better-sqlite3';
  /** For Kysely's SqliteDialect. */
  readonly database: SqliteDatabase;
  exec(sql: string): void;
  /** Every row, as plain objects. */
  all(sql: string, ...params: unknown[]): Record<string, unknown>[];
  /** The first column of the first row, or undefined when there is no row. */
  value(sql: string, ...params: unknown[]): unknown;
  run(sql: string, ...params: unknown[]): void;
  close(): void;
}

type Row = Record<string, unknown>;
interface NodeStatement {
  all(...params: unknown[]): Row[];
  get(...params: unknown[]): Row | undefined;
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<Row>;
  columns(): unknown[];
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}
/** The part of node:sqlite used here (@types/node for Node 20 does not describe it). */
export interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabase;
  StatementSync: { prototype: { columns?: unknown } };
}

// Statements kept prepared per connection, by SQL text. Kysely prepares every query it runs, and
// preparing the claim (a statement of a few kB) costs about as much as running it; the texts are
// few (one per query shape, values are bound), so the bound is only a guard. SQLite re-prepares a
// kept statement by itself when the schema changes (a migration).
const MAX_KEPT_STATEMENTS = 256;

/** `prepare` that reuses the statement already prepared for the same text. */
function keptStatements<S>(prepare: (sql: string) => S): (sql: string) => S {
  const kept = new Map<string, S>();
  return (sql) => {
    let stmt = kept.get(sql);
    if (stmt === undefined) {
      if (kept.size >= MAX_KEPT_STATEMENTS) kept.delete(kept.keys().next().value!);
      stmt = prepare(sql);
      kept.set(sql, stmt);
    }
    return stmt;
  };
}

// node:sqlite's rows have a null prototype; better-sqlite3's are plain objects. Callers (and
// tests comparing rows) see plain objects from both.
const plain = (row: Row): Row => ({ ...row });

function adaptStatement(stmt: NodeStatement): SqliteStatement {
  return {
    // better-sqlite3's `reader`: the statement has result columns (SELECT, RETURNING, most PRAGMAs).
    reader: stmt.columns().length > 0,
    all: (params) => stmt.all(...params).map(plain),
    run: (params) => stmt.run(...params),
    *iterate(params) {
      for (const row of stmt.iterate(...params)) yield plain(row);
    },
  };
}

export function openNodeSqlite(mod: NodeSqliteModule, path: string, busyTimeoutMs: number): SqliteConnection {
  const raw = new mod.DatabaseSync(path);
  // The same sqlite3_busy_timeout that better-sqlite3's `timeout` option sets; the pragma works on
  // every Node with node:sqlite (the constructor's `timeout` option needs 22.16).
  raw.exec(`pragma busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // Kept: a waiting claimer polls `pragma data_version` every few ms (sqlite.ts subscribe).
  const valueOf = keptStatements((sql) => raw.prepare(sql));
  return {
    driver: 'node',
    database: {
      prepare: keptStatements((sql) => adaptStatement(raw.prepare(sql))),
      close: () => raw.close(),
    },
    exec: (sql) => raw.exec(sql),
    all: (sql, ...params) =>
      raw
        .prepare(sql)
        .all(...params)
        .map(plain),
    value: (sql, ...params) => {
      const row = valueOf(sql).get(...params);
      return row === undefined ? undefined : Object.values(row)[0];
    },
    run: (sql, ...params) => void raw.prepare(sql).run(...params),
    close: () => raw.close(),
  };
}

export function openBetterSqlite3(
  lib: typeof BetterSqlite3,
  path: string,
  busyTimeoutMs: number,
): SqliteConnection {
  const raw = new lib(path, { timeout: busyTimeoutMs });
  // Kept: a waiting claimer polls `pragma data_version` every few ms (sqlite.ts subscribe).
  const valueOf = keptStatements((sql) => raw.prepare(sql).pluck());
  return {
    driver: 'better-sqlite3',
    database: { prepare: keptStatements((sql) => raw.prepare(sql)), close: () => raw.close() },
    exec: (sql) => void raw.exec(sql),
    all: (sql, ...params) => raw.prepare(sql).all(...params) as Row[],
    value: (sql, ...params) => valueOf(sql).get(...params),
    run: (sql, ...params) => void raw.prepare(sql).run(...params),
    close: () => raw.close(),
  };
}
