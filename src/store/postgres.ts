// PostgreSQL dialect: pg pool, SKIP LOCKED claims, data-modifying CTEs (one round trip per
// transition), an advisory lock for migrations and LISTEN/NOTIFY wake-ups.
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Codec, Dialect, Db, EventRow, JobInsert, JobUpdate } from './dialect.js';
import type { Database } from './schema.js';
import type { Signal } from './store.js';
import { PgListener } from './pg-listener.js';

// int8 (bigserial ids, counts) arrive as strings by default; they fit a JS number here.
pg.types.setTypeParser(20, (v) => Number(v));

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
// Arbitrary constant naming "agent-queue migrations" among advisory locks.
const MIGRATION_LOCK_KEY = 7_301_994_112;

const codec: Codec = {
  time: (d) => d,
  timeOut: (raw) => (raw instanceof Date ? raw : new Date(raw as string)),
  json: (v) => JSON.stringify(v),
  jsonOut: (raw) => raw,
  strings: (v) => [...v],
  stringsOut: (raw) => (raw as string[]) ?? [],
  bool: (v) => v,
  boolOut: (raw) => raw === true,
};

export interface PostgresOptions {
  url: string;
  /** Schema to use (tests isolate themselves in one schema each). Default: the server's search_path. */
  schema?: string;
  poolSize?: number;
}

export function createPostgresDialect(opts: PostgresOptions): Dialect {
  if (opts.schema !== undefined && !SCHEMA_PATTERN.test(opts.schema)) {
    throw new Error(`invalid schema name "${opts.schema}": use lowercase letters, digits and _`);
  }
  // One channel per schema, so that queues sharing a database do not wake each other.
  const channel = opts.schema ? `agent_queue_${opts.schema}` : 'agent_queue';
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const listener = new PgListener({
    url: opts.url,
    channel,
    ...(opts.schema ? { schema: opts.schema } : {}),
  });

  return {
    name: 'postgres',
    codec,
    db,
    transaction: (fn) => db.transaction().execute(fn),
    capabilitiesWithin: (qb, caps) => qb.where(sql<boolean>`required_capabilities <@ ${[...caps]}::text[]`),
    lockForClaim: (qb) => qb.forUpdate().skipLocked(),
    async writeJobWithEvent(query: JobUpdate | JobInsert, ev: EventRow | undefined) {
      if (!ev) return (await query.returningAll().executeTakeFirst()) as Record<string, unknown> | undefined;
      const res = await db
        .with('j', () => query.returningAll())
        .with('e', (qc) =>
          qc
            .insertInto('agent_job_events')
            .columns(['job_id', 'at', 'level', 'kind', 'attempt', 'message', 'data'])
            .expression(
              qc
                .selectFrom('j')
                .select([
                  'j.id',
                  sql`${ev.at}::timestamptz`.as('at'),
                  sql`${ev.event.level}`.as('level'),
                  sql`${ev.event.kind}`.as('kind'),
                  'j.attempt',
                  sql`${ev.event.message ?? null}::text`.as('message'),
                  sql`${ev.event.data === undefined ? null : JSON.stringify(ev.event.data)}::jsonb`.as('data'),
                ]),
            ),
        )
        .selectFrom('j')
        .selectAll()
        .executeTakeFirst();
      return res as Record<string, unknown> | undefined;
    },
    async withMigrationLock(fn) {
      return db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
        try {
          await sql`create table if not exists agent_queue_migrations (
            version integer primary key, name text not null, applied_at text not null)`.execute(conn);
          return await fn(conn);
        } finally {
          await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
        }
      });
    },
    async applyMigration(conn, step) {
      return conn.transaction().execute(async (trx) => {
        const done = await trx
          .selectFrom('agent_queue_migrations')
          .select('version')
          .where('version', '=', step.version)
          .executeTakeFirst();
        if (done) return false;
        await trx
          .insertInto('agent_queue_migrations')
          .values({ version: step.version, name: step.name, applied_at: new Date().toISOString() })
          .execute();
        await sql.raw(step.sql).execute(trx);
        return true;
      });
    },
    async dbNow() {
      const r = await sql<{ now: Date }>`select now() as now`.execute(db);
      return r.rows[0]!.now;
    },
    async notify(signal: Signal) {
      await sql`select pg_notify(${channel}, ${JSON.stringify(signal)})`.execute(db);
    },
    subscribe: (handler) => listener.subscribe(handler),
    async close() {
      await listener.close();
      await db.destroy();
    },
  };
}
