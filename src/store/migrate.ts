// Versioned SQL migrations under migrations/<dialect>/NNNN_name.sql, applied under the dialect's
// lock, each step in its own transaction and recorded in that same transaction, so several
// processes starting together apply every step exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Dialect } from './dialect.js';
import type { MigrationReport } from './store.js';

const MIGRATIONS_ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface MigrationStep {
  version: number;
  name: string;
  sql: string;
}

/** The folder holding a dialect's numbered migration files. */
export const migrationsDir = (dialect: 'postgres' | 'sqlite'): string => `${MIGRATIONS_ROOT}${dialect}`;

export function loadMigrations(dialect: 'postgres' | 'sqlite'): MigrationStep[] {
  const dir = migrationsDir(dialect);
  return readdirSync(dir)
    .map((file) => ({ file, m: FILE_PATTERN.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({
      version: Number(m[1]),
      name: m[2]!,
      sql: readFileSync(`${dir}/${file}`, 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

export async function migrate(dialect: Dialect): Promise<MigrationReport> {
  const steps = loadMigrations(dialect.name);
  return dialect.withMigrationLock(async (db) => {
    const applied: MigrationReport['applied'] = [];
    for (const step of steps) {
      if (await dialect.applyMigration(db, step)) applied.push({ version: step.version, name: step.name });
    }
    const row = await sql<{
      v: number | string | null;
    }>`select max(version) as v from agent_queue_migrations`.execute(db);
    return { applied, current: Number(row.rows[0]?.v ?? 0) };
  });
}
