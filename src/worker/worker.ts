// The worker loop (SPEC §13): N claim/run slots over a WorkerPort. Each slot long-polls a claim,
// runs the job it gets, and asks again; a paused fleet answers `wait` and running jobs carry on
// (drain). shutdown() stops claiming and gives running jobs a grace period; kill() ends them now.
import type { SystemBlock } from '../core/types.js';
import { isQueueError } from '../core/errors.js';
import type { WorkerPort } from '../queue/worker-port.js';
import { errText, sleep } from './heartbeat.js';
import { runJob, type JobOutcome, type RunningJob } from './job-run.js';
import { createRedactor } from './output.js';
import type { RunningWorker, WorkerOptions, WorkerSummary } from './types.js';

/** A long-poll claim waits this long for a job before asking again. */
const CLAIM_WAIT_SECONDS = 30;
/** After a failed claim (the database is unreachable), wait this long before the next. */
const CLAIM_ERROR_BACKOFF_MS = 2_000;
/** --once gives up when claims fail (the queue unavailable) for this long. */
export const ONCE_UNAVAILABLE_LIMIT_MS = 60_000;

/** Engine timings tests may shorten. */
export interface WorkerTuning {
  onceUnavailableLimitMs?: number;
}

export function startWorker(port: WorkerPort, opts: WorkerOptions, tuning: WorkerTuning = {}): RunningWorker {
  const { log } = opts;
  const onceLimitMs = tuning.onceUnavailableLimitMs ?? ONCE_UNAVAILABLE_LIMIT_MS;
  const redact = createRedactor(opts.env);
  const summary: WorkerSummary = { succeeded: 0, failed: 0, cancelled: 0, abandoned: 0 };
  const stopClaiming = new AbortController();
  const running = new Set<RunningJob>();
  let seenVersion: number | null = null;
  // Set once running jobs must end: a job claimed in that very moment ends the same way.
  let ending: 'terminate' | 'kill' | null = null;
  // A claim refusal that asking again cannot fix: `done` rejects with it once running jobs ended.
  let fatal: Error | null = null;

  const onSystem = (system: SystemBlock) => {
    // An older block (a slow answer from before the change) says nothing new.
    if (seenVersion !== null && system.version <= seenVersion) return;
    const first = seenVersion === null;
    seenVersion = system.version;
    if (first && !system.workersPaused) return;
    const { workersPaused, mode, reason, version, requestedBy } = system;
    if (workersPaused)
      log.info({ mode, reason, version, requestedBy }, `workers paused (${mode ?? 'drain'})`);
    else log.info({ version }, 'workers resumed');
  };

  const runOne = async (claimed: Awaited<ReturnType<WorkerPort['claim']>>): Promise<void> => {
    const job = claimed.job!;
    const started = performance.now();
    log.info({ jobId: job.id, type: job.type, attempt: job.attempt }, 'job started');
    const run = runJob({ port, opts, redact, onSystem }, claimed);
    running.add(run);
    if (ending) run.abandon(ending);
    let outcome: JobOutcome;
    try {
      outcome = await run.outcome;
    } catch (err) {
      // A bug of ours: the job's lease runs out and the queue retries it.
      log.error({ jobId: job.id, err: errText(err) }, 'running the job failed');
      outcome = 'abandoned';
    } finally {
      running.delete(run);
    }
    summary[outcome]++;
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    log.info({ jobId: job.id, type: job.type, attempt: job.attempt, outcome, seconds }, 'job finished');
  };

  const slot = async (): Promise<void> => {
    const signal = stopClaiming.signal;
    let failingSince: number | null = null;
    while (!signal.aborted) {
      let answer;
      try {
        answer = await port.claim(
          {
            workerId: opts.workerId,
            ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
            ...(opts.types ? { types: opts.types } : {}),
            capabilities: opts.capabilities,
            leaseSeconds: opts.leaseSeconds,
            waitSeconds: opts.once ? 0 : CLAIM_WAIT_SECONDS,
          },
          // A claim long-polls through a pause; the pause and the resume are logged as they happen.
          { signal, onSystem },
        );
      } catch (err) {
        if (signal.aborted) return;
        if (isQueueError(err) && err.code !== 'unavailable') {
          // Asking again cannot help (a bad type, a scope, a bug): stop claiming; running jobs finish.
          log.error({ code: err.code, err: err.message }, 'claim refused; the worker stops');
          fatal ??= err;
          stopClaiming.abort();
          return;
        }
        failingSince ??= performance.now();
        if (opts.once && performance.now() - failingSince >= onceLimitMs) {
          log.error({ err: errText(err) }, '--once: the queue stayed unavailable; the worker stops');
          fatal ??= err instanceof Error ? err : new Error(errText(err));
          stopClaiming.abort();
          return;
        }
        log.warn({ err: errText(err) }, 'claim failed; trying again');
        await sleep(CLAIM_ERROR_BACKOFF_MS, signal);
        continue;
      }
      failingSince = null;
      onSystem(answer.system);
      if (answer.job && answer.lease) {
        await runOne(answer);
        continue;
      }
      // The claim already waited (a paused fleet until its resume), so there is nothing to sleep
      // off: asking again at once keeps a resume or a new job noticed the moment it lands.
      if (opts.once) return;
    }
  };

  // The command line prints the start-up line people read; this one is for embedders at debug.
  log.debug(
    {
      workerId: opts.workerId,
      queue: opts.queue ?? 'default',
      types: opts.types ?? 'any',
      capabilities: opts.capabilities,
      concurrency: opts.concurrency,
      leaseSeconds: opts.leaseSeconds,
      once: opts.once,
    },
    'worker started',
  );
  const slots = Array.from({ length: Math.max(1, opts.concurrency) }, () => slot());
  const done = Promise.all(slots).then(() => {
    if (fatal) throw fatal;
    return { ...summary };
  });

  const abandonAll = (how: 'terminate' | 'kill') => {
    ending = how;
    for (const run of running) run.abandon(how);
  };

  return {
    done,
    async shutdown(graceMs = opts.shutdownGraceSeconds * 1000) {
      stopClaiming.abort();
      if (running.size > 0)
        log.info({ running: running.size, graceMs }, 'shutting down: letting running jobs finish');
      const timer = new AbortController();
      const late = sleep(graceMs, timer.signal).then(() => 'late' as const);
      const result = await Promise.race([done.then(() => 'done' as const), late]);
      timer.abort();
      if (result === 'late') {
        log.warn({ running: running.size }, 'grace period over: stopping the remaining jobs');
        abandonAll('terminate');
      }
      return done;
    },
    async kill() {
      stopClaiming.abort();
      abandonAll('kill');
      return done;
    },
  };
}
