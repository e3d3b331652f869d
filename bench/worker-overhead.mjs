#!/usr/bin/env node
// Per-job overhead of the worker runtime: N no-op jobs (`true` as the command) drained by
// startWorker with --once semantics (claim, spawn, heartbeat, complete, events), against spawning
// `true` N times in a bare execa loop, on the same machine in the same run. Enqueueing is not timed.
// Runs the built package (npm run build) in this process.
//
//   node bench/worker-overhead.mjs [jobs] [sqlite|postgres|both]   (default 200 jobs, both)
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { startWorker } from '../dist/worker/worker.js';
import { throwawayQueue, workerOptions } from './worker-lib.mjs';

const N = Number(process.argv[2] ?? 200) || 200;
const WHICH = process.argv[3] ?? 'both';
const TYPE = 'bench.noop';
const round = (x) => Math.round(x * 100) / 100;

async function bare() {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await execa('true', [], { stdin: 'ignore' });
  return (performance.now() - t0) / N;
}

async function runtime(kind) {
  const q = await throwawayQueue(kind);
  try {
    for (let i = 0; i < N; i++) await q.service.enqueue({ type: TYPE, payload: { i } });
    const t0 = performance.now();
    const worker = startWorker(q.service, workerOptions({ command: ['true'], types: [TYPE], once: true }));
    const done = await worker.done;
    const perJob = (performance.now() - t0) / N;
    if (done.succeeded !== N) throw new Error(`expected ${N} jobs to succeed: ${JSON.stringify(done)}`);
    return perJob;
  } finally {
    await q.close();
  }
}

// Warm both paths once (module loading, the first spawn), then measure.
await execa('true');
const kinds = WHICH === 'both' ? ['sqlite', 'postgres'] : [WHICH];
for (const kind of kinds) {
  const loop = await bare();
  const worker = await runtime(kind);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'worker-overhead',
      backend: kind,
      jobs: N,
      bareSpawnMsPerJob: round(loop),
      workerMsPerJob: round(worker),
      overheadMsPerJob: round(worker - loop),
    })}\n`,
  );
}
