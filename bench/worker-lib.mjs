// Shared by the worker benchmarks: a throwaway migrated queue (SQLite file or PostgreSQL schema)
// opened through the built package, and percentiles.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { openStore } from '../dist/store/open.js';
import { QueueService } from '../dist/queue/service.js';

const PG_URL = process.env.AGENT_QUEUE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** { service, close() } on a fresh database of `kind` ('sqlite' | 'postgres'), removed by close(). */
export async function throwawayQueue(kind) {
  let target;
  let drop;
  if (kind === 'postgres') {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    await admin(`create schema ${schema}`);
    target = { kind: 'postgres', url: PG_URL, schema };
    drop = () => admin(`drop schema if exists ${schema} cascade`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'agent-queue-bench-'));
    target = { kind: 'sqlite', path: join(dir, 'queue.db') };
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  const store = openStore(target);
  await store.migrate();
  const service = new QueueService({ store });
  return {
    service,
    async close() {
      await service.close();
      await store.close();
      await drop();
    },
  };
}

export const silentLog = () => pino({ level: 'silent' });

/** The worker options the CLI would pass with its defaults, over `over`. */
export const workerOptions = (over) => ({
  workerId: 'bench-worker',
  capabilities: [],
  concurrency: 1,
  leaseSeconds: 120,
  cancelGraceSeconds: 10,
  shutdownGraceSeconds: 30,
  noRetryExitCodes: [],
  quiesceSignal: false,
  allowSteps: false,
  once: false,
  push: true,
  env: process.env,
  log: silentLog(),
  ...over,
});

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p99: r(percentile(s, 99)),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    max: r(s.at(-1)),
  };
}
