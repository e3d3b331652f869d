// PostgreSQL dialect: pg pool, SKIP LOCKED claims, data-modifying CTEs (one round trip per
// transition), an advisory lock for migrations and LISTEN/NOTIFY wake-ups.
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { createHash } from 'node:crypto';
import type { Codec, Row } from './codec.js';
import type { Dialect, Db, WriteJob, WriteOut } from './dialect.js';
import { returningJob } from './dialect.js';
import { PAUSE_COLUMNS, PAUSE_PREFIX, QUEUE_PAUSE_PREFIX, unprefixPause } from './rows.js';
import { POSTGRES_LISTS } from './claim.js';
import { pickCall } from './claim-sql.js';
import type { Database } from './schema.js';
import type { Signal } from './store.js';
import { PgListener } from './pg-listener.js';
import { SCHEMA_PATTERN } from './schema-name.js';

// int8 (bigserial ids, counts) arrive as strings by default; they fit a JS number here.
pg.types.setTypeParser(20, (v) => Number(v));

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

const names = new Map<string, string>();
/** A stable prepared-statement name per SQL text (few distinct texts: one per transition shape). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `aq_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

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
    // Notice a peer that vanished without closing the socket (a dropped link, a dead host).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // A connection that dies must never crash the process (a PostgreSQL restart, a dropped socket).
  // The pool listens only while a client is idle; a client checked out by a query has no listener
  // between the moment the socket fails and the query's own callback, and an unhandled 'error' event
  // ends the process. So every client gets a listener of its own for its whole life: the query in
  // flight fails with the error (-> unavailable), and the pool discards the client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', () => {});
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const listener = new PgListener({
    url: opts.url,
    channel,
    ...(opts.schema ? { schema: opts.schema } : {}),
  });

  async function writeJob({ query, event, notify, withPause }: WriteJob): Promise<WriteOut> {
    const parts = [sql`with j as (${returningJob(query)})`];
    if (event) {
      const e = event.event;
      parts.push(sql`, e as (insert into agent_job_events (job_id, at, level, kind, attempt, message, data)
        select id, ${event.at}::timestamptz, ${e.level}, ${e.kind}, attempt, ${e.message ?? null}::text,
          ${e.data === undefined || e.data === null ? null : JSON.stringify(e.data)}::jsonb from j)`);
    }
    // A job's end is NOTIFYed only while a `wait` counts itself in (awaiters, read off the row as
    // written: a count that committed before this write took the row is in it). Every notifying
    // transaction holds one database-wide lock through its commit and WAL flush, so a NOTIFY per
    // finished job made completions commit one at a time (claim+complete: about 790 → 1,110 per
    // second through pgbench with 10 clients once it was gone).
    const awaited = notify?.kind === 'job_finished' ? sql` where j.awaiters > 0` : sql``;
    if (notify) {
      parts.push(sql`, n as (select pg_notify(${channel}, ${JSON.stringify(notify)}) from j${awaited})`);
    }
    // Referencing n makes it run (once per changed row); the notification is delivered on commit.
    const notified = notify ? sql`, (select count(*) from n) as n__` : sql``;
    const cols = (table: string, prefix: string) =>
      sql.raw(PAUSE_COLUMNS.map((c) => `${table}.${c} as ${prefix}${c}`).join(', '));
    parts.push(
      withPause
        ? sql`select j.*, ${cols('p', PAUSE_PREFIX)}, ${cols('q', QUEUE_PAUSE_PREFIX)} ${notified}
            from agent_worker_pause_state p
            left join agent_queue_pause_state q on q.queue = ${withPause.queue}::text
            left join j on true where p.id = 1`
        : sql`select j.* ${notified} from j`,
    );
    const compiled = sql.join(parts, sql` `).compile(db);
    // A named (prepared) statement: the hot transitions skip parsing and planning after first use.
    const name = statementName(compiled.sql);
    const res = await pool.query({ name, text: compiled.sql, values: [...compiled.parameters] });
    const out = res.rows[0] as Row | undefined;
    if (!out) return { row: undefined, pause: undefined, queuePause: undefined };
    return {
      row: out.id === null || out.id === undefined ? undefined : out,
      pause: withPause ? unprefixPause(out) : undefined,
      queuePause: withPause ? unprefixPause(out, QUEUE_PAUSE_PREFIX) : undefined,
    };
  }

  return {
    name: 'postgres',
    codec,
    db,
    transaction: (fn) => db.transaction().execute(fn),
    lists: POSTGRES_LISTS,
    async writeClaim({ pick, update, event }) {
      const write = () =>
        writeJob({ query: update(pickCall(pick)), event, withPause: { queue: pick.queue } });
      let out = await write();
      // agent_queue_pick is volatile, so it reads a newer snapshot than the claim statement around it:
      // it can lock a job that became queued a moment after the statement began, which the UPDATE then
      // cannot see. One more try sees it; a try with nothing to find costs one round trip. It also
      // answers a pick that gave up on a concurrency key another claim was locking (claim-sql.ts).
      const paused = codec.boolOut(out.pause!.paused) || codec.boolOut(out.queuePause?.paused);
      if (!out.row && !paused) out = await write();
      return { row: out.row, pause: out.pause!, queuePause: out.queuePause };
    },
    writeJob,
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
