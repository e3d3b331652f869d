// agent-queue side of the anchor benchmark (the peers' side is the anchor peer-bench.mjs; see bench/README.md):
// N no-op jobs inserted, then drained by one process with CONCURRENCY claim+complete loops.
// usage: node bench/throughput.mjs sqlite|postgres throughput|batch|latency   (env N, CONCURRENCY,
//        BATCH, LAT_N, DATABASE_URL for postgres). Prints one JSON line. Uses the built code (npm run build).
// `batch`: each loop claims up to BATCH jobs per call (claimBatch) and completes them in one call
// (completeBatch), as the peers' batched modes fetch and complete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../dist/store/open.js';
import { QueueService } from '../dist/queue/service.js';

const [backend = 'sqlite', mode = 'throughput'] = process.argv.slice(2);
const N = Number(process.env.N ?? 10000);
const C = Number(process.env.CONCURRENCY ?? 10);
const LAT_N = Number(process.env.LAT_N ?? 200);
const BATCH = Number(process.env.BATCH ?? 20);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pct = (a, p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))];

async function openBench() {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aq-bench-'));
    const store = openStore({ kind: 'sqlite', path: join(dir, 'queue.db') });
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = 'agent_queue_bench';
  const admin = new pg.Client(url);
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  await admin.end();
  const store = openStore({ kind: 'postgres', url, schema, poolSize: C + 2 });
  return {
    store,
    cleanup: async () => {
      const c = new pg.Client(url);
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

const { store, cleanup } = await openBench();
await store.migrate();
const service = new QueueService({ store });

if (mode === 'throughput' || mode === 'batch') {
  const t0 = performance.now();
  // No bulk API yet: enqueue in parallel batches so insert time is not the bottleneck we report.
  for (let i = 0; i < N; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, N - i) }, () => service.enqueue({ type: 'noop', payload: {} })),
    );
  }
  const tIns = performance.now() - t0;
  let done = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async (_, w) => {
      for (;;) {
        if (mode === 'batch') {
          const { jobs } = await service.claimBatch({ workerId: `bench-${w}`, limit: BATCH });
          if (jobs.length === 0) return;
          const { results } = await service.completeBatch({
            items: jobs.map(({ job, lease }) => ({ jobId: job.id, leaseToken: lease.token })),
          });
          done += results.filter((r) => r.job?.status === 'succeeded').length;
          continue;
        }
        const { job, lease } = await service.claim({ workerId: `bench-${w}` });
        if (!job) return;
        await service.complete({ jobId: job.id, leaseToken: lease.token });
        done++;
      }
    }),
  );
  const dt = performance.now() - t1;
  if (done !== N) throw new Error(`drained ${done} of ${N}`);
  console.log(
    JSON.stringify({
      peer: `agent-queue(${backend})`,
      mode,
      N,
      C,
      ...(mode === 'batch' ? { batch: BATCH } : {}),
      insert_ms: Math.round(tIns),
      drain_ms: Math.round(dt),
      jobs_per_s: Math.round((N / dt) * 1000),
    }),
  );
} else {
  const lat = [];
  let stop = false;
  const workers = Array.from({ length: C }, async (_, w) => {
    while (!stop) {
      const { job, lease } = await service.claim({ workerId: `bench-${w}`, waitSeconds: 2 });
      if (!job) continue;
      lat.push(performance.timeOrigin + performance.now() - job.payload.t);
      await service.complete({ jobId: job.id, leaseToken: lease.token });
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  // A producer on its own connection, as in the peers' latency mode.
  const producerStore =
    backend === 'sqlite' ? store : openStore({ kind: 'postgres', url, schema: 'agent_queue_bench' });
  const producer = new QueueService({ store: producerStore });
  for (let i = 0; i < LAT_N; i++) {
    await producer.enqueue({ type: 'noop', payload: { t: performance.timeOrigin + performance.now() } });
    await new Promise((r) => setTimeout(r, 10));
  }
  while (lat.length < LAT_N) await new Promise((r) => setTimeout(r, 20));
  stop = true;
  await Promise.all(workers);
  if (producerStore !== store) await producerStore.close();
  console.log(
    JSON.stringify({
      peer: `agent-queue(${backend})`,
      mode,
      n: lat.length,
      p50_ms: +pct(lat, 0.5).toFixed(2),
      p99_ms: +pct(lat, 0.99).toFixed(2),
      max_ms: +Math.max(...lat).toFixed(2),
    }),
  );
}

await service.close();
await store.close();
await cleanup();
