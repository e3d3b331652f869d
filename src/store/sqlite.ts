// SQLite dialect: one file shared by many processes (WAL, busy timeout). Writes run in
// BEGIN IMMEDIATE transactions, serialised within a process so two connections of the same
// process never wait on each other's lock (both drivers block the thread while they wait).
// The driver (node:sqlite or better-sqlite3) is picked in sqlite-driver.ts; nothing here knows which.
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventEmitter } from 'node:events';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Codec, Row } from './codec.js';
import type { Dialect, Db, WriteJob, WriteOut } from './dialect.js';
import { returningJob } from './dialect.js';
import type { Database } from './schema.js';
import { bound, candidates, SQLITE_LISTS } from './claim.js';
import type { Signal } from './store.js';
import type { SqliteConnection } from './sqlite-conn.js';
import { openSqlite, type SqliteDriverChoice } from './sqlite-driver.js';

const codec: Codec = {
  time: (d) => d.getTime(),
  timeOut: (raw) => new Date(Number(raw)),
  json: (v) => JSON.stringify(v),
  jsonOut: (raw) => JSON.parse(raw as string),
  strings: (v) => JSON.stringify(v),
  stringsOut: (raw) => JSON.parse((raw as string) ?? '[]') as string[],
  bool: (v) => (v ? 1 : 0),
  boolOut: (raw) => raw === 1 || raw === true,
};

/** Per-file state shared by every connection this process opens on that file. */
interface FileState {
  tail: Promise<unknown>;
  signals: EventEmitter;
}
const files = new Map<string, FileState>();
const fileState = (path: string): FileState => {
  let s = files.get(path);
  if (!s) {
    s = { tail: Promise.resolve(), signals: new EventEmitter().setMaxListeners(0) };
    files.set(path, s);
  }
  return s;
};

// How often a subscriber checks whether another process wrote to the file: a claimer waiting for
// another process's enqueue wakes within about this (p50 ~8 ms with 5, ~19 ms with 25). Each check
// costs a timer wake and a kept PRAGMA read: ~1% of a core at 5 ms, paid only while someone waits
// (Wakeups lets the subscription go a few seconds after its last waiter).
const CROSS_PROCESS_POLL_MS = 5;

/**
 * SQLite opens a file it may not write without complaint, and reads work; only the first write
 * fails. Write once (rolled back) at open, so an unwritable queue is reported at start, not as a
 * failure of the first enqueue.
 */
function probeWritable(raw: SqliteConnection): void {
  raw.exec('begin immediate');
  try {
    raw.exec('create table main.agent_queue_write_probe (x)');
  } finally {
    raw.exec('rollback');
  }
}

/** Transactions run in one group commit at most (a bound on the work a COMMIT answers at once). */
const MAX_GROUP = 64;

interface GroupMember {
  fn: (trx: Db) => Promise<unknown>;
  resolve: (out: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs a group of transactions in one BEGIN IMMEDIATE … COMMIT on `conn`, each member in its own
 * savepoint: a member that throws is rolled back alone and gets its error; the others are answered
 * once the COMMIT succeeded, or all get the COMMIT's error. If SQLite ended the whole transaction
 * under a failing member (an I/O error, a full disk), the members run so far lost their writes and
 * get that error, and the ones not yet run are handed to `again`, as new transactions.
 */
async function runGroup(
  conn: Db,
  group: readonly GroupMember[],
  again: (fn: GroupMember['fn']) => Promise<unknown>,
): Promise<void> {
  const exec = (text: string) => sql.raw(text).execute(conn);
  try {
    await exec('begin immediate');
  } catch (err) {
    for (const m of group) m.reject(err);
    return;
  }
  const alone = group.length === 1;
  const done: { m: GroupMember; out: unknown }[] = [];
  for (const [i, m] of group.entries()) {
    try {
      if (!alone) await exec('savepoint aq_member');
      const out = await m.fn(conn);
      if (!alone) await exec('release aq_member');
      done.push({ m, out });
    } catch (err) {
      m.reject(err);
      const undone = alone
        ? false
        : await exec('rollback to aq_member').then(
            () => exec('release aq_member').then(() => false),
            () => true,
          );
      if (alone || undone) {
        await exec('rollback').catch(() => undefined);
        for (const d of done) d.m.reject(err);
        for (const rest of group.slice(i + 1)) void again(rest.fn).then(rest.resolve, rest.reject);
        return;
      }
    }
  }
  try {
    await exec('commit');
  } catch (err) {
    await exec('rollback').catch(() => undefined);
    for (const d of done) d.m.reject(err);
    return;
  }
  for (const d of done) d.m.resolve(d.out);
}

export interface SqliteOptions {
  path: string;
  busyTimeoutMs?: number;
  /** Default `auto`: node:sqlite when this Node has it, else better-sqlite3. */
  driver?: SqliteDriverChoice;
}

export function createSqliteDialect(opts: SqliteOptions): Dialect {
  const path = resolve(opts.path);
  mkdirSync(dirname(path), { recursive: true });
  const raw = openSqlite(path, opts.driver ?? 'auto', opts.busyTimeoutMs ?? 10_000);
  try {
    raw.exec('pragma journal_mode = WAL');
    // FULL: a commit the caller was told about survives a power cut, as a durable queue promises.
    raw.exec('pragma synchronous = FULL');
    raw.exec('pragma foreign_keys = ON');
    probeWritable(raw);
  } catch (err) {
    raw.close();
    throw err;
  }
  const db: Db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw.database }) });
  const state = fileState(path);

  /** Queues fn behind every other write of this process on this file. */
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = state.tail.then(fn, fn);
    state.tail = run.catch(() => undefined);
    return run;
  };

  // Group commit: transactions asked for while another one runs wait and then run together, each in
  // a savepoint of one BEGIN IMMEDIATE … COMMIT, and are answered after that COMMIT. With
  // synchronous = FULL every COMMIT waits for the disk; one wait per group instead of one per
  // transaction lets concurrent callers (a server's sessions, a worker's slots, claim loops) go
  // faster than the disk flushes, with the same durability.
  const waiting: GroupMember[] = [];
  let queued = false;
  const queueGroup = () => {
    queued = true;
    void serialised(async () => {
      queued = false;
      const group = waiting.splice(0, MAX_GROUP);
      // Members beyond the cap form the next group, behind this one.
      if (waiting.length > 0) queueGroup();
      try {
        await db.connection().execute((conn) => runGroup(conn, group, transaction));
      } catch (err) {
        // The connection itself failed (closed): nobody's work was committed. A settled member ignores this.
        for (const m of group) m.reject(err);
      }
    });
  };
  const transaction = <T>(fn: (trx: Db) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!queued) queueGroup();
    });

  const pollers = new Set<NodeJS.Timeout>();

  async function writeJob({ query, event, notify, withPause }: WriteJob): Promise<WriteOut> {
    const out = await transaction(async (trx) => {
      const row = (await trx.executeQuery(returningJob(query).compile())).rows[0] as Row | undefined;
      if (row && event) {
        const e = event.event;
        await trx
          .insertInto('agent_job_events')
          .values({
            job_id: row.id as string,
            at: event.at,
            level: e.level,
            kind: e.kind,
            attempt: row.attempt as number,
            message: e.message ?? null,
            data: e.data === undefined || e.data === null ? null : JSON.stringify(e.data),
          })
          .execute();
      }
      const pause = withPause
        ? ((await trx
            .selectFrom('agent_worker_pause_state')
            .selectAll()
            .where('id', '=', 1)
            .executeTakeFirst()) as Row)
        : undefined;
      const queuePause = withPause
        ? ((await trx
            .selectFrom('agent_queue_pause_state')
            .selectAll()
            .where('queue', '=', withPause.queue)
            .executeTakeFirst()) as Row | undefined)
        : undefined;
      return { row, pause, queuePause };
    });
    // After commit, like NOTIFY: waiters must never see a wake-up before the change is visible.
    if (out.row && notify) state.signals.emit('signal', notify);
    return out;
  }

  return {
    name: 'sqlite',
    codec,
    db,
    transaction,
    lists: SQLITE_LISTS,
    // SQLite has one writer at a time: the claim's UPDATE … WHERE id = (SELECT …) is already atomic.
    async writeClaim({ pick, update, event }) {
      const picked = candidates(db, SQLITE_LISTS, bound(pick)).$asScalar();
      const out = await writeJob({ query: update(picked), event, withPause: { queue: pick.queue } });
      return { row: out.row, pause: out.pause!, queuePause: out.queuePause };
    },
    // A batch is its claims asked for at once: group commit runs them in one transaction.
    async writeClaimMany({ pick, update, event, slots }) {
      const outs = await Promise.all(
        slots.map((slot) =>
          writeJob({
            query: update(
              candidates(db, SQLITE_LISTS, bound(pick)).$asScalar(),
              sql.val<string>(slot.leaseToken),
            ),
            event: { at: event.at, event: { ...event.event, data: slot.data } },
            withPause: { queue: pick.queue },
          }),
        ),
      );
      const rows = outs.flatMap((o) => (o.row ? [o.row] : []));
      // The last to run saw the newest pause state.
      const last = outs.at(-1)!;
      return { rows, pause: last.pause!, queuePause: last.queuePause };
    },
    // Likewise the endings: each its own statement, all in one group commit.
    async writeEndMany({ items, update }) {
      const outs = await Promise.all(
        items.map((item) =>
          writeJob({
            query: update(item),
            event: item.event,
            notify: { kind: 'job_finished', jobId: item.id },
          }),
        ),
      );
      return outs.flatMap((o) => (o.row ? [o.row] : []));
    },
    writeJob,
    // Each step takes the file's write lock itself (applyMigration), which is the lock.
    async withMigrationLock(fn) {
      await serialised(async () =>
        raw.exec(`create table if not exists agent_queue_migrations (
          version integer primary key, name text not null, applied_at text not null)`),
      );
      return fn(db);
    },
    applyMigration: (_db, step) =>
      serialised(async () => {
        raw.exec('begin immediate');
        try {
          const done = raw.value('select 1 from agent_queue_migrations where version = ?', step.version);
          if (done === undefined) {
            raw.run(
              'insert into agent_queue_migrations (version, name, applied_at) values (?, ?, ?)',
              step.version,
              step.name,
              new Date().toISOString(),
            );
            raw.exec(step.sql);
          }
          raw.exec('commit');
          return done === undefined;
        } catch (err) {
          // SQLite may have rolled back already (some errors end the transaction); the cause matters.
          try {
            raw.exec('rollback');
          } catch {
            /* no transaction left to roll back */
          }
          throw err;
        }
      }),
    dbNow: async () => new Date(),
    async notify(signal: Signal) {
      state.signals.emit('signal', signal);
    },
    async subscribe(handler) {
      // Same process: direct. Other processes: PRAGMA data_version changes when they commit.
      state.signals.on('signal', handler);
      let seen = raw.value('pragma data_version');
      const timer = setInterval(() => {
        const now = raw.value('pragma data_version');
        if (now !== seen) {
          seen = now;
          handler({ kind: 'changed' });
        }
      }, CROSS_PROCESS_POLL_MS);
      timer.unref();
      pollers.add(timer);
      return () => {
        state.signals.off('signal', handler);
        clearInterval(timer);
        pollers.delete(timer);
      };
    },
    async close() {
      for (const t of pollers) clearInterval(t);
      pollers.clear();
      await serialised(async () => undefined);
      await db.destroy();
    },
  };
}
