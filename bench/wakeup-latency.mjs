#!/usr/bin/env node
// Wake-up latency: the time from a producer's enqueue call to the moment a claimer that is already
// long-polling on its own connection has the job. Runs against the built package (npm run build).
//
//   node bench/wakeup-latency.mjs [samples]        (default 200 per backend)
//
// Backends: SQLite in a temporary file (producer in the same process, then in another process) and
// PostgreSQL in a fresh schema of AGENT_QUEUE_BENCH_PG_URL (default the local test database), which
// is dropped afterwards. Prints one JSON line per backend.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStore } from '../dist/store/open.js';
import { QueueService } from '../dist/queue/service.js';

const SAMPLES = Number(process.argv[2] ?? 200) || 200;
const WARMUP = 10;
const PG_URL = process.env.AGENT_QUEUE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TYPE = 'bench.wakeup';

// Child mode: a producer in another process, enqueueing one job per line it reads.
if (process.argv[2] === '--producer') {
  const store = openStore(JSON.parse(process.argv[3]));
  const producer = new QueueService({ store });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (i) => {
    producer.enqueue({ type: TYPE, payload: { i: Number(i) } }).then(() => process.stdout.write('ok\n'));
  });
  lines.on('close', () => void producer.close().then(() => store.close()));
  process.stdout.write('ready\n');
} else {
  await main();
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'agent-queue-bench-'));
  try {
    const sqlite = { kind: 'sqlite', path: join(dir, 'queue.db') };
    report('sqlite', 'same process, own connection', await measure(sqlite, inProcessProducer(sqlite)));
    report('sqlite', 'another process', await measure(sqlite, childProducer(sqlite)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await admin(`create schema ${schema}`);
  try {
    const postgres = { kind: 'postgres', url: PG_URL, schema };
    report('postgres', 'same process, own connection', await measure(postgres, inProcessProducer(postgres)));
  } finally {
    await admin(`drop schema if exists ${schema} cascade`);
  }
}

/** Returns the latency (ms) of every sample after the warm-up. */
async function measure(target, makeProducer) {
  const store = openStore(target);
  await store.migrate();
  const claimer = new QueueService({ store });
  const producer = await makeProducer();
  const latencies = [];
  const enqueueMs = [];
  try {
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const claim = claimer.claim({ workerId: 'bench', types: [TYPE], waitSeconds: 10, leaseSeconds: 60 });
      // Let the claimer settle into its wait; well below the 1 s fallback re-check.
      await delay(20 + Math.random() * 30);
      const t0 = performance.now();
      await producer.enqueue(i);
      const enqueued = performance.now() - t0;
      const answer = await claim;
      const ms = performance.now() - t0;
      if (!answer.job) throw new Error(`sample ${i}: the claimer did not get the job (${answer.action})`);
      await claimer.complete({ jobId: answer.job.id, leaseToken: answer.lease.token });
      if (i >= WARMUP) {
        latencies.push(ms);
        enqueueMs.push(enqueued);
      }
    }
  } finally {
    await producer.close();
    await claimer.close();
    await store.close();
  }
  return { latencies, enqueueMs };
}

/** A producer service on its own store (own connection/pool) in this process. */
function inProcessProducer(target) {
  return async () => {
    const store = openStore(target);
    const service = new QueueService({ store });
    return {
      enqueue: (i) => service.enqueue({ type: TYPE, payload: { i } }),
      close: async () => {
        await service.close();
        await store.close();
      },
    };
  };
}

/** A producer in a child process; a sample's clock starts when the request is written to it. */
function childProducer(target) {
  return async () => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [self, '--producer', JSON.stringify(target)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const expect = async (word) => {
      const { value } = await lines.next();
      if (value !== word) throw new Error(`producer process said ${value ?? '(nothing)'}, expected ${word}`);
    };
    await expect('ready');
    return {
      async enqueue(i) {
        child.stdin.write(`${i}\n`);
        await expect('ok');
      },
      close: () =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.stdin.end();
        }),
    };
  };
}

/** Nearest-rank percentile of a list of milliseconds, rounded to 0.01 ms. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
}

function report(backend, producer, { latencies, enqueueMs }) {
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  console.log(
    JSON.stringify({
      backend,
      producer,
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      meanMs: Math.round(mean * 100) / 100,
      maxMs: percentile(latencies, 100),
      // The enqueue call alone (commit included), to tell write cost from wake-up delay.
      enqueueP50Ms: percentile(enqueueMs, 50),
    }),
  );
}

async function admin(statement) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
