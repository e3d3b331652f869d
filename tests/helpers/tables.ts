// Reads whole tables through a connection of the test's own (not the store under test), so a test
// can prove that an operation changed no row at all.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { TestDb } from './backends.js';

export const QUEUE_TABLES = [
  'agent_jobs',
  'agent_job_events',
  'agent_worker_pause_state',
  'agent_system_control_events',
] as const;

export type TableSnapshot = Record<(typeof QUEUE_TABLES)[number], Record<string, unknown>[]>;

/** Every row of every queue table, ordered by primary key. */
export async function snapshotTables(db: TestDb): Promise<TableSnapshot> {
  const out = {} as TableSnapshot;
  const target = db.target;
  if (target.kind === 'sqlite') {
    const raw = new BetterSqlite3(target.path, { readonly: true });
    try {
      for (const t of QUEUE_TABLES)
        out[t] = raw.prepare(`select * from ${t} order by id`).all() as Record<string, unknown>[];
    } finally {
      raw.close();
    }
    return out;
  }
  const client = new pg.Client({
    connectionString: target.url,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  await client.connect();
  try {
    for (const t of QUEUE_TABLES) out[t] = (await client.query(`select * from ${t} order by id`)).rows;
  } finally {
    await client.end();
  }
  return out;
}
