// Reads whole tables through a connection of the test's own (not the store under test), so a test
// can prove that an operation changed no row at all.
import type { TestDb } from './backends.js';
import { withRawConnection } from './sql.js';

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
  const select = (t: string) => `select * from ${t} order by id`;
  await withRawConnection(db, {
    sqlite(raw) {
      for (const t of QUEUE_TABLES) out[t] = raw.all(select(t));
    },
    async postgres(client) {
      for (const t of QUEUE_TABLES) out[t] = (await client.query(select(t))).rows;
    },
  });
  return out;
}
