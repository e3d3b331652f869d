// Direct SQL on a test database through a connection of the test's own: assertions the queue API
// does not answer (migration bookkeeping, counts over every job) and bulk setup for load tests.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { uuidv7 } from '../../src/core/ids.js';
import type { TestDb } from './backends.js';

export async function queryRows(db: TestDb, text: string): Promise<Record<string, unknown>[]> {
  return withRawConnection(db, {
    sqlite: (raw) => raw.prepare(text).all() as Record<string, unknown>[],
    postgres: async (client) => (await client.query(text)).rows,
  });
}

/**
 * Runs SQL on the test database through a connection of the test's own (never the store's), the
 * dialect's way, and always closes it.
 */
export async function withRawConnection<T>(
  db: TestDb,
  run: { sqlite(raw: BetterSqlite3.Database): T; postgres(client: pg.Client): Promise<T> },
): Promise<T> {
  const target = db.target;
  if (target.kind === 'sqlite') {
    const raw = new BetterSqlite3(target.path);
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
      const insert = raw.prepare(
        `insert into agent_jobs (id, type, status, payload, run_at, max_attempts, created_at, updated_at)
         values (?, ?, 'queued', '{}', ?, 3, ?, ?)`,
      );
      raw.transaction(() => ids.forEach((id) => insert.run(id, type, now, now, now)))();
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
      const job = raw.prepare(
        `insert into agent_jobs (id, type, status, payload, run_at, attempt, max_attempts, created_at,
           updated_at, started_at, finished_at)
         values (?, ?, 'succeeded', '{}', ?, 1, 3, ?, ?, ?, ?)`,
      );
      const event = raw.prepare(
        `insert into agent_job_events (job_id, at, level, kind, attempt) values (?, ?, 'info', ?, ?)`,
      );
      raw.transaction(() => {
        for (const id of ids) {
          job.run(id, opts.type, created, created, done, created, done);
          event.run(id, created, 'enqueued', 0);
          event.run(id, done, 'completed', 1);
        }
      })();
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
