// Direct SQL on a test database through a connection of the test's own: assertions the queue API
// does not answer (migration bookkeeping, counts over every job) and bulk setup for load tests.
import pg from 'pg';
import { uuidv7 } from '../../src/core/ids.js';
import type { SqliteConnection } from '../../src/store/sqlite-conn.js';
import { openSqlite } from '../../src/store/sqlite-driver.js';
import { SQLITE_DRIVER, type TestDb } from './backends.js';

/** A SQLite connection of the test's own, through the driver the tests run on (AGENT_QUEUE_SQLITE_DRIVER). */
export type RawSqlite = SqliteConnection;

/** Runs fn in one BEGIN IMMEDIATE transaction on raw (rolled back if it throws). */
function inTransaction(raw: RawSqlite, fn: () => void): void {
  raw.exec('begin immediate');
  try {
    fn();
    raw.exec('commit');
  } catch (err) {
    raw.exec('rollback');
    throw err;
  }
}

export async function queryRows(db: TestDb, text: string): Promise<Record<string, unknown>[]> {
  return withRawConnection(db, {
    sqlite: (raw) => raw.all(text),
    postgres: async (client) => (await client.query(text)).rows,
  });
}

/**
 * Runs SQL on the test database through a connection of the test's own (never the store's), the
 * dialect's way, and always closes it.
 */
export async function withRawConnection<T>(
  db: TestDb,
  run: { sqlite(raw: RawSqlite): T; postgres(client: pg.Client): Promise<T> },
): Promise<T> {
  const target = db.target;
  if (target.kind === 'sqlite') {
    const raw = openSqlite(target.path, SQLITE_DRIVER, 10_000);
    try {
      return run.sqlite(raw);
    } finally {
      raw.close();
    }
  }
  const client = new pg.Client({
    connectionString: target.url,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  await client.connect();
  try {
    return await run.postgres(client);
  } finally {
    await client.end();
  }
}

/** A single count(*)-style number from the first column of the first row. */
export async function queryNumber(db: TestDb, text: string): Promise<number> {
  const [row] = await queryRows(db, text);
  return Number(Object.values(row ?? {})[0]);
}

/**
 * Writes n claimable jobs of one type straight into agent_jobs in one transaction and returns their
 * ids. Only for load tests whose subject is claiming: it skips enqueue (and its enqueued events).
 */
export async function insertQueuedJobs(db: TestDb, n: number, type: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uuidv7());
  await withRawConnection(db, {
    sqlite(raw) {
      const now = Date.now();
      const insert = `insert into agent_jobs (id, type, status, payload, run_at, max_attempts, created_at, updated_at)
         values (?, ?, 'queued', '{}', ?, 3, ?, ?)`;
      inTransaction(raw, () => ids.forEach((id) => raw.run(insert, id, type, now, now, now)));
    },
    async postgres(client) {
      await client.query(
        `insert into agent_jobs (id, type, status, payload, run_at, max_attempts, created_at, updated_at)
         select id, $2, 'queued', '{}', now(), 3, now(), now() from unnest($1::uuid[]) as id`,
        [ids, type],
      );
    },
  });
  return ids;
}

/**
 * Writes n jobs that succeeded at `finishedAt` (created an hour before it), each with its enqueued
 * and completed events, straight into the tables in one transaction; returns their ids. For
 * retention tests, which need thousands of old finished jobs without living through them.
 */
export async function insertFinishedJobs(
  db: TestDb,
  n: number,
  opts: { type: string; finishedAt: Date },
): Promise<string[]> {
  const done = opts.finishedAt.getTime();
  const created = done - 3_600_000;
  const ids = Array.from({ length: n }, () => uuidv7(created));
  await withRawConnection(db, {
    sqlite(raw) {
      const job = `insert into agent_jobs (id, type, status, payload, run_at, attempt, max_attempts, created_at,
           updated_at, started_at, finished_at)
         values (?, ?, 'succeeded', '{}', ?, 1, 3, ?, ?, ?, ?)`;
      const event = `insert into agent_job_events (job_id, at, level, kind, attempt) values (?, ?, 'info', ?, ?)`;
      inTransaction(raw, () => {
        for (const id of ids) {
          raw.run(job, id, opts.type, created, created, done, created, done);
          raw.run(event, id, created, 'enqueued', 0);
          raw.run(event, id, done, 'completed', 1);
        }
      });
    },
    async postgres(client) {
      await client.query('begin');
      await client.query(
        `insert into agent_jobs (id, type, status, payload, run_at, attempt, max_attempts, created_at,
           updated_at, started_at, finished_at)
         select id, $2, 'succeeded', '{}', $3, 1, 3, $3, $4, $3, $4 from unnest($1::uuid[]) as id`,
        [ids, opts.type, new Date(created), opts.finishedAt],
      );
      await client.query(
        `insert into agent_job_events (job_id, at, level, kind, attempt)
         select id, $2::timestamptz, 'info', 'enqueued', 0 from unnest($1::uuid[]) as id
         union all select id, $3::timestamptz, 'info', 'completed', 1 from unnest($1::uuid[]) as id`,
        [ids, new Date(created), opts.finishedAt],
      );
      await client.query('commit');
    },
  });
  return ids;
}
