// PostgreSQL dialect: pg pool, SKIP LOCKED claims, data-modifying CTEs (one round trip per
// transition), an advisory lock for migrations and LISTEN/NOTIFY wake-ups.
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import { createHash } from 'node:crypto';
import type { Codec, Row } from './codec.js';
import type { Dialect, Db, JobUpdate, WriteClaimMany, WriteEndMany, WriteJob, WriteOut } from './dialect.js';
import { returningJob } from './dialect.js';
import { PAUSE_COLUMNS, PAUSE_PREFIX, QUEUE_PAUSE_PREFIX, unprefixPause } from './rows.js';
import { POSTGRES_LISTS } from './claim.js';
import { pickCall, pickManyRows } from './claim-sql.js';
import { JOB_COLUMNS, JOB_FIELD_LIST, type Kind } from './job-fields.js';
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

/** Each job column's kind, and how a batched ending's jsonb recordset types it (json: text, cast on write). */
const COLUMN_KINDS = new Map<string, Kind>(JOB_FIELD_LIST.map(([, f]) => [f.column, f.kind]));
const RECORD_TYPES: Record<Kind, string> = {
  text: 'text',
  number: 'numeric',
  time: 'timestamptz',
  json: 'text',
  strings: 'text[]',
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
    parts.push(withPause ? selectWithPause(withPause.queue, notified) : sql`select j.* ${notified} from j`);
    const out = (await run(parts))[0];
    if (!out) return { row: undefined, pause: undefined, queuePause: undefined };
    return {
      row: out.id === null || out.id === undefined ? undefined : out,
      pause: withPause ? unprefixPause(out) : undefined,
      queuePause: withPause ? unprefixPause(out, QUEUE_PAUSE_PREFIX) : undefined,
    };
  }

  /** The statement made of `parts`, as a named (prepared) statement: the hot transitions skip parsing and planning after first use. */
  async function run(parts: RawBuilder<unknown>[]): Promise<Row[]> {
    const compiled = sql.join(parts, sql` `).compile(db);
    const name = statementName(compiled.sql);
    return (await pool.query({ name, text: compiled.sql, values: [...compiled.parameters] })).rows as Row[];
  }

  /** Every row of j beside the fleet's and the queue's pause rows (one row, j's columns null, when j is empty). */
  function selectWithPause(queue: string, extra: RawBuilder<unknown> = sql``): RawBuilder<unknown> {
    const cols = (table: string, prefix: string) =>
      sql.raw(PAUSE_COLUMNS.map((c) => `${table}.${c} as ${prefix}${c}`).join(', '));
    return sql`select j.*, ${cols('p', PAUSE_PREFIX)}, ${cols('q', QUEUE_PAUSE_PREFIX)} ${extra}
            from agent_worker_pause_state p
            left join agent_queue_pause_state q on q.queue = ${queue}::text
            left join j on true where p.id = 1`;
  }

  /** A batched claim in one statement: agent_queue_pick_many's ids paired with the slots' tokens. */
  async function writeClaimMany({ pick, update, event, slots }: WriteClaimMany) {
    const picks = pickManyRows(
      pick,
      slots.length,
      slots.map((s) => s.leaseToken),
      slots.map((s) => JSON.stringify(s.data ?? null)),
    );
    const claim = returningJob(
      update(sql.ref('picks.pick_id'), sql.ref('picks.pick_token')).from(
        picks.as('picks') as never,
      ) as JobUpdate,
    )
      .returning(sql.ref('picks.pick_data').as('pick_data') as never)
      .returning(sql.ref('picks.pick_ord').as('pick_ord') as never);
    const e = event.event;
    const write = () =>
      run([
        sql`with j as (${claim}), e as (insert into agent_job_events (job_id, at, level, kind, attempt, message, data)
          select id, ${event.at}::timestamptz, ${e.level}, ${e.kind}, attempt, ${e.message ?? null}::text, pick_data from j)`,
        // In pick order: the best job first, as single claims would have taken them.
        sql`${selectWithPause(pick.queue)} order by j.pick_ord`,
      ]);
    let out = await write();
    const paused = (r: Row | undefined) =>
      codec.boolOut(r?.[`${PAUSE_PREFIX}paused`]) || codec.boolOut(r?.[`${QUEUE_PAUSE_PREFIX}paused`]);
    const jobs = (rows: Row[]) => rows.filter((r) => r.id !== null && r.id !== undefined);
    // As writeClaim: a pick may lock jobs the statement's older snapshot cannot update; one more try.
    if (jobs(out).length === 0 && !paused(out[0])) out = await write();
    return {
      rows: jobs(out),
      pause: unprefixPause(out[0]!)!,
      queuePause: unprefixPause(out[0]!, QUEUE_PAUSE_PREFIX),
    };
  }

  /** Lease holders' endings in one statement: the items as one jsonb recordset, joined to their rows. */
  async function writeEndMany({ items }: WriteEndMany): Promise<Row[]> {
    if (items.length === 0) return [];
    const columns = Object.keys(items[0]!.values);
    const doc = items.map((i) => {
      const v: Record<string, unknown> = {
        u_id: i.id,
        u_token: i.leaseToken,
        u_at: i.event.at,
        u_level: i.event.event.level,
        u_kind: i.event.event.kind,
        u_message: i.event.event.message ?? null,
        u_data: i.event.event.data === undefined ? null : JSON.stringify(i.event.event.data),
      };
      for (const c of columns) v[`v_${c}`] = i.values[c] ?? null;
      return v;
    });
    const kinds = columns.map((c) => COLUMN_KINDS.get(c) ?? 'text');
    const shape = sql.raw(
      [
        'u_id uuid, u_token text, u_at timestamptz, u_level text, u_kind text, u_message text, u_data text',
        ...columns.map((c, k) => `v_${c} ${RECORD_TYPES[kinds[k]!]}`),
      ].join(', '),
    );
    const set = sql.join(
      columns.map((c, k) =>
        kinds[k] === 'json'
          ? sql`${sql.ref(c)} = (u.${sql.ref(`v_${c}`)})::jsonb`
          : sql`${sql.ref(c)} = u.${sql.ref(`v_${c}`)}`,
      ),
    );
    const returning = sql.raw(JOB_COLUMNS.map((c) => `agent_jobs.${c}`).join(', '));
    return run([
      sql`with u as (select * from jsonb_to_recordset(${JSON.stringify(doc)}::jsonb) as u(${shape})),
        j as (update agent_jobs set ${set} from u
          where agent_jobs.id = u.u_id and agent_jobs.status = 'running' and agent_jobs.lease_token = u.u_token
            and agent_jobs.dependents = 0
          returning ${returning}, u.u_at, u.u_level, u.u_kind, u.u_message, u.u_data),
        e as (insert into agent_job_events (job_id, at, level, kind, attempt, message, data)
          select id, u_at, u_level, u_kind, attempt, u_message, u_data::jsonb from j),
        n as (select pg_notify(${channel}, json_build_object('kind', 'job_finished', 'jobId', j.id)::text)
          from j where j.awaiters > 0)
        select j.*, (select count(*) from n) as n__ from j`,
    ]);
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
    writeClaimMany,
    writeEndMany,
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
