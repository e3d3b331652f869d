// Runs the worker engine in-process over a real QueueService, with a logger whose lines the test
// can wait on, and small waits on the queue and on processes (polls with a deadline, never sleeps).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import type { QueueService } from '../../src/queue/service.js';
import type { WorkerPort } from '../../src/queue/worker-port.js';
import type { Job, JobEvent } from '../../src/core/types.js';
import { startWorker, type WorkerTuning } from '../../src/worker/worker.js';
import type { RunningWorker, WorkerOptions, WorkerSummary } from '../../src/worker/types.js';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/worker/${name}`, import.meta.url));

/** A secret of the worker's own environment: it must never reach the timeline. */
export const SECRET = 'sk-test-7f3a9c2e51';

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface Harness {
  worker: RunningWorker;
  lines: LogLine[];
  /** Resolves once a log line with this message (and these fields) was written. */
  logged(msg: string | RegExp, fields?: Record<string, unknown>, timeoutMs?: number): Promise<LogLine>;
}

// Every worker a test started, so that one afterEach stops them all whatever the test did.
const live = new Set<RunningWorker>();

/** Kills, after each test of the enclosing describe, every worker the test started. */
export function killWorkersAfterEach(): void {
  afterEach(async () => {
    for (const worker of [...live]) {
      live.delete(worker);
      await worker.kill().catch(() => {});
    }
  });
}

export function runWorker(
  port: WorkerPort,
  opts: Partial<WorkerOptions> & { command: string[] },
  tuning: WorkerTuning = {},
): Harness {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const text of chunk.toString().split('\n')) if (text) lines.push(JSON.parse(text) as LogLine);
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const worker = startWorker(
    port,
    {
      workerId: 'test-worker',
      capabilities: [],
      concurrency: 1,
      leaseSeconds: 30,
      cancelGraceSeconds: 1,
      noRetryExitCodes: [3],
      quiesceSignal: false,
      allowSteps: false,
      once: false,
      push: true,
      shutdownGraceSeconds: 5,
      env: { ...process.env, DEPLOY_API_TOKEN: SECRET },
      log,
      ...opts,
    },
    tuning,
  );
  live.add(worker);
  const matches = (l: LogLine, msg: string | RegExp, fields: Record<string, unknown>) =>
    (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)) &&
    Object.entries(fields).every(([k, v]) => l[k] === v);
  return {
    worker,
    lines,
    logged: (msg, fields = {}, timeoutMs = 15_000) =>
      waitFor(() => lines.find((l) => matches(l, msg, fields)), `log line ${String(msg)}`, timeoutMs),
  };
}

/** Polls fn until it returns something truthy; fails after the deadline. */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitStatus(svc: QueueService, jobId: string, status: Job['status'] | ((j: Job) => boolean)) {
  const ok = typeof status === 'function' ? status : (j: Job) => j.status === status;
  return waitFor(
    async () => {
      const { job } = await svc.get({ jobId });
      return ok(job) ? job : null;
    },
    `job ${jobId} to reach ${String(status)}`,
  );
}

export async function logEvents(svc: QueueService, jobId: string): Promise<JobEvent[]> {
  const { events } = await svc.events({ jobId, limit: 1000 });
  return events.filter((e) => e.kind === 'log');
}

/** Waits for an output line containing `text` to reach the job's timeline; returns that event's text. */
export function loggedOutput(svc: QueueService, jobId: string, text: string): Promise<string> {
  return waitFor(async () => {
    const events = await logEvents(svc, jobId);
    return events.map((e) => e.message ?? '').find((m) => m.includes(text));
  }, `output "${text}" of job ${jobId}`);
}

/** A process is gone when signalling it fails or it is a zombie nobody reaped yet. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return procState(pid) === 'Z';
}

/** The state letter of /proc/<pid>/stat ('S', 'R', 'T' stopped, 'Z'), or null when gone. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The queue's port with some calls replaced (a fault, a recording). */
export function portOf(svc: WorkerPort, over: Partial<WorkerPort> = {}): WorkerPort {
  return {
    claim: (i, o) => svc.claim(i, o),
    heartbeat: (i) => svc.heartbeat(i),
    complete: (i) => svc.complete(i),
    fail: (i) => svc.fail(i),
    ackCancel: (i) => svc.ackCancel(i),
    log: (i) => svc.log(i),
    watchJob: (id, o) => svc.watchJob(id, o),
    ...over,
  };
}

/** The worker's view of the port, recording every lease it was given (to replay a stale call later). */
export function recordingPort(svc: WorkerPort): { port: WorkerPort; tokens: Map<string, string> } {
  const tokens = new Map<string, string>();
  const port = portOf(svc, {
    claim: async (input, opts) => {
      const answer = await svc.claim(input, opts);
      if (answer.job && answer.lease) tokens.set(answer.job.id, answer.lease.token);
      return answer;
    },
  });
  return { port, tokens };
}

/** Enqueues one job and runs a --once worker over it; returns the job as it ended. */
export async function runOnce(
  svc: QueueService,
  payload: Record<string, unknown>,
  opts: Partial<WorkerOptions> & { command: string[] },
  port: WorkerPort = svc,
): Promise<{ job: Job; summary: WorkerSummary; harness: Harness }> {
  const { job } = await svc.enqueue({ type: 'work', payload });
  const harness = runWorker(port, { once: true, ...opts });
  const summary = await harness.worker.done;
  return { job: (await svc.get({ jobId: job.id })).job, summary, harness };
}
