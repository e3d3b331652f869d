// Four processes on one SQLite file, each enqueuing, claiming and completing as fast as it can:
// the file's single writer lock is contended all the time, and no busy error may reach a caller,
// no job may be lost or completed twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, type TestDb } from '../helpers/backends.js';
import { cliEnv } from '../helpers/cli.js';
import { auditJobs } from './audit.js';
import { faultKnob } from './random.js';
import { expectNoDamage } from './report.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/contention.mjs', import.meta.url));
const PROCESSES = 4;
const DURATION_MS = faultKnob('FAULTS_CONTENTION_MS', 15_000);

interface ProcessReport {
  name: string;
  enqueued: string[];
  completed: string[];
  ops: number;
  errors: Record<string, number>;
}

/** Starts a fixture process; resolves once it has opened the queue. */
async function start(db: TestDb, name: string): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [FIXTURE, name, String(DURATION_MS)], {
    env: cliEnv({ ...db.env, AGENT_QUEUE_LOG_LEVEL: 'warn' }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  return { child, out: () => out };
}

describe('4-process SQLite contention', () => {
  const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
  let db: TestDb | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.drop();
  });

  it(
    'surfaces no busy error and loses or duplicates nothing',
    { timeout: DURATION_MS + 90_000 },
    async () => {
      db = await sqlite.create();
      const store = db.open();
      await store.migrate();
      await store.close();

      const procs = await Promise.all(
        Array.from({ length: PROCESSES }, (_, i) => start(db!, `proc-${i + 1}`)),
      );
      children.push(...procs.map((p) => p.child));
      const started = performance.now();
      const exits = procs.map((p) => once(p.child, 'exit') as Promise<[number | null, string | null]>);
      for (const p of procs) p.child.stdin!.end();
      const codes = await Promise.all(exits);
      const seconds = (performance.now() - started) / 1000;

      const reports: ProcessReport[] = procs
        .filter((_, i) => codes[i]![0] === 0)
        .map((p) => JSON.parse(p.out().split('\n').filter(Boolean).at(-1)!) as ProcessReport);
      const enqueued = reports.flatMap((r) => r.enqueued);
      const completions = new Map<string, number>();
      for (const id of reports.flatMap((r) => r.completed))
        completions.set(id, (completions.get(id) ?? 0) + 1);
      const errors: Record<string, number> = {};
      for (const r of reports)
        for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
      const busy = Object.values(errors).reduce((a, b) => a + b, 0);
      const ops = reports.reduce((a, r) => a + r.ops, 0);

      const audit = await auditJobs(db, enqueued);
      expectNoDamage('sqlite-contention', 'sqlite', {
        jobs: enqueued.length,
        faults: 0,
        duplicates: audit.duplicated.length + [...completions.values()].filter((n) => n > 1).length,
        lost:
          audit.missing.length +
          audit.notSucceeded.length +
          enqueued.filter((id) => !completions.has(id)).length,
        stuck: audit.unfinished.length,
        crashes: codes.filter(([code]) => code !== 0).length,
        extra: {
          processes: PROCESSES,
          ...Object.fromEntries(reports.map((r) => [`ops.${r.name}`, r.ops])),
          opsPerSecond: Math.round(ops / seconds),
          busyErrors: busy,
          timelineProblems: audit.timeline.length,
          seconds: Math.round(seconds),
        },
      });
      expect({ errors, timeline: audit.timeline.slice(0, 5) }).toEqual({ errors: {}, timeline: [] });
      // Every process took part: one starved of the write lock would show up here.
      for (const r of reports) expect(r.completed.length).toBeGreaterThan(0);
    },
  );
});
