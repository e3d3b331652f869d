// Migrations (SPEC §3): versioned SQL files applied exactly once, also when many processes start
// at the same moment, and a no-op when the schema is current.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { backendsForSuite, openTestQueue, type TestDb } from '../helpers/backends.js';
import { assertBuilt, BIN, cliEnv } from '../helpers/bin.js';
import { queryRows } from '../helpers/sql.js';
import { loadMigrations } from '../../src/store/migrate.js';
import type { MigrationReport } from '../../src/store/store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
const PARALLEL = 20;

describe.each(backendsForSuite())('migrations ($name)', (backend) => {
  const dialect = backend.name;
  const files = readdirSync(`${MIGRATIONS}${dialect}`).filter((f) => f.endsWith('.sql'));
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function freshDb(): Promise<TestDb> {
    const db = await backend.create();
    cleanup.push(() => db.drop());
    return db;
  }

  it('every file under migrations/<dialect>/ is a step, numbered 1..n in order', () => {
    const steps = loadMigrations(dialect);
    expect(files.length).toBeGreaterThan(0);
    expect(steps).toHaveLength(files.length);
    expect(steps.map((s) => s.version)).toEqual(files.map((_, i) => i + 1));
    // Both dialects have the same steps, so a queue can move between them at any version.
    const other = dialect === 'sqlite' ? 'postgres' : 'sqlite';
    expect(loadMigrations(other).map((s) => [s.version, s.name])).toEqual(
      steps.map((s) => [s.version, s.name]),
    );
  });

  it('migrating twice applies everything once, then nothing', async () => {
    const db = await freshDb();
    const store = db.open();
    cleanup.push(() => store.close());
    const steps = loadMigrations(dialect);
    const first = await store.migrate();
    expect(first.applied).toEqual(steps.map((s) => ({ version: s.version, name: s.name })));
    expect(first.current).toBe(steps.length);
    expect(await store.migrate()).toEqual({ applied: [], current: steps.length });
    const rows = await queryRows(db, 'select version, name from agent_queue_migrations order by version');
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual(steps.map((s) => [s.version, s.name]));
  });

  it(
    `${PARALLEL} processes running \`migrate\` at once apply each step exactly once`,
    { timeout: 120_000 },
    async () => {
      assertBuilt();
      const db = await freshDb();
      const runs = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          execa(process.execPath, [BIN, '--json', 'migrate'], {
            env: cliEnv(db.env),
            extendEnv: false,
            reject: false,
            stdin: 'ignore',
            timeout: 100_000,
          }),
        ),
      );
      const reports = runs.map((r) => {
        expect(r.exitCode, `exit ${r.exitCode}: ${r.stderr}`).toBe(0);
        return JSON.parse(r.stdout) as MigrationReport;
      });
      const steps = loadMigrations(dialect);
      // Summed over all processes, each step was applied by exactly one of them.
      const appliedVersions = reports.flatMap((r) => r.applied.map((a) => a.version)).sort((a, b) => a - b);
      expect(appliedVersions).toEqual(steps.map((s) => s.version));
      for (const r of reports) expect(r.current).toBe(steps.length);
      const rows = await queryRows(db, 'select version, name from agent_queue_migrations order by version');
      expect(rows).toHaveLength(files.length);
      expect(rows.map((r) => [Number(r.version), r.name])).toEqual(steps.map((s) => [s.version, s.name]));
      // The schema works: the singleton pause row exists once and a job goes through.
      expect(await queryRows(db, 'select id from agent_worker_pause_state')).toHaveLength(1);
      const store = db.open();
      cleanup.push(() => store.close());
      expect(await store.migrate()).toEqual({ applied: [], current: steps.length });
    },
  );

  it('a queue opened on a migrated database works end to end', async () => {
    const q = await openTestQueue(backend);
    cleanup.push(() => q.close());
    const { job } = await q.service.enqueue({ type: 'smoke' });
    const claim = await q.service.claim({ workerId: 'w' });
    expect(claim.job?.id).toBe(job.id);
    expect((await q.service.complete({ jobId: job.id, leaseToken: claim.lease!.token })).job.status).toBe(
      'succeeded',
    );
  });
});
