#!/usr/bin/env node
// Cancel latency of the worker runtime: the time from the `cancel` call to the job's child process
// being gone (process.kill(pid, 0) polled every 1 ms), with push wake-ups (watchJob) and with push
// off (only the heartbeat, every min(lease/3, 5 s) = 5 s at the default 120 s lease).
// Runs startWorker from the built package (npm run build) in this process.
//
//   node bench/worker-cancel.mjs [runs] [sqlite|postgres|both]   (default 50 runs, both)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { startWorker } from '../dist/worker/worker.js';
import { summary, throwawayQueue, workerOptions } from './worker-lib.mjs';

const RUNS = Number(process.argv[2] ?? 50) || 50;
const WHICH = process.argv[3] ?? 'both';
const TYPE = 'bench.cancel';
/** min(lease / 3, 5 s) at the runtime's default 120 s lease. */
const BEAT_MS = 5_000;
// Writes its pid where the payload says, then idles until a signal ends it.
const CHILD = [
  process.execPath,
  '-e',
  'require("fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1e9)',
  '{{payload.pidFile}}',
];

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check, what, ms = 30_000) {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(1);
  }
}

async function measure(kind, push) {
  const q = await throwawayQueue(kind);
  const dir = mkdtempSync(join(tmpdir(), 'agent-queue-bench-cancel-'));
  const worker = startWorker(q.service, workerOptions({ command: CHILD, types: [TYPE], push }));
  const ms = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const pidFile = join(dir, `${i}.pid`);
      const { job } = await q.service.enqueue({ type: TYPE, payload: { pidFile } });
      const pid = await until(
        () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')),
        `run ${i} to start`,
      );
      // Cancel at a random moment of the job's life: against the heartbeat's 5 s period when push
      // is off (else every sample would wait a full beat), a few ms when it is on.
      await delay(Math.random() * (push ? 50 : BEAT_MS));
      const t0 = performance.now();
      await q.service.cancel({ jobId: job.id, reason: 'bench' });
      await until(() => !alive(pid), `run ${i}: child ${pid} to end`);
      ms.push(performance.now() - t0);
      // The job ends `cancelled` once the worker acknowledged; wait so the next claim is clean.
      for (;;) {
        const { job: now } = await q.service.get({ jobId: job.id });
        if (now.status === 'cancelled') break;
        if (now.status !== 'running') throw new Error(`run ${i}: job ended ${now.status}`);
        await delay(1);
      }
    }
  } finally {
    await worker.shutdown(0);
    rmSync(dir, { recursive: true, force: true });
    await q.close();
  }
  return summary(ms);
}

const kinds = WHICH === 'both' ? ['sqlite', 'postgres'] : [WHICH];
for (const kind of kinds) {
  for (const push of [true, false]) {
    const s = await measure(kind, push);
    process.stdout.write(`${JSON.stringify({ bench: 'worker-cancel', backend: kind, push, ...s })}\n`);
  }
}
