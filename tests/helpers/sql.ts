// Runs one read-only SQL query on a test database through a connection of the test's own, for
// assertions the queue API does not answer (migration bookkeeping, counts over every job).
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
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
