// Direct SQL on a test database through a connection of the test's own: assertions the queue API
// does not answer (migration bookkeeping, counts over every job) and bulk setup for load tests.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { uuidv7 } from '../../src/queue/ids.js';
import type { TestDb } from './backends.js';

export async function queryRows(db: TestDb, text: string): Promise<Record<string, unknown>[]> {
  const target = db.target;
  if (target.kind === 'sqlite') {
    const raw = new BetterSqlite3(target.path, { readonly: true });
    try {
      return raw.prepare(text).all() as Record<string, unknown>[];
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
    return (await client.query(text)).rows;
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
  const target = db.target;
  if (target.kind === 'sqlite') {
    const raw = new BetterSqlite3(target.path);
    try {
      const now = Date.now();
      const insert = raw.prepare(
        `insert into agent_jobs (id, type, status, payload, run_at, max_attempts, created_at, updated_at)
         values (?, ?, 'queued', '{}', ?, 3, ?, ?)`,
      );
      raw.transaction(() => ids.forEach((id) => insert.run(id, type, now, now, now)))();
    } finally {
      raw.close();
    }
    return ids;
  }
  const client = new pg.Client({
    connectionString: target.url,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  await client.connect();
  try {
    await client.query(
      `insert into agent_jobs (id, type, status, payload, run_at, max_attempts, created_at, updated_at)
       select id, $2, 'queued', '{}', now(), 3, now(), now() from unnest($1::uuid[]) as id`,
      [ids, type],
    );
  } finally {
    await client.end();
  }
  return ids;
}
