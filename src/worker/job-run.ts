// Runs one claimed job (SPEC §13): the command (or the payload's steps) as children in their own
// process groups, output streamed to the timeline, a background heartbeat whose `action` drives
// cancel, quiesce and lease loss, and exactly one ending call (complete, fail or ackCancel), or
// none at all when the lease was lost.
import type { ClaimAnswer, HeartbeatAnswer, SystemBlock } from '../core/types.js';
import { isQueueError } from '../core/errors.js';
import type { WorkerPort } from '../queue/worker-port.js';
import { JobHeartbeat, errText, sleep } from './heartbeat.js';
import { settle, tailOf, type Settlement } from './outcome.js';
import { jobOutput } from './job-output.js';
import { childEnv, planJob } from './job-plan.js';
import { spawnChild } from './child.js';
import { fillPlaceholders } from './placeholders.js';
import type { ChildExit, ChildHandle, WorkerOptions } from './types.js';

export type JobOutcome = 'succeeded' | 'failed' | 'cancelled' | 'abandoned';

export interface RunJobContext {
  port: WorkerPort;
  opts: WorkerOptions;
  redact: (text: string) => string;
  /** Every `system` block seen (the worker logs pause changes once per version). */
  onSystem?(system: SystemBlock): void;
}

export interface RunningJob {
  readonly jobId: string;
  readonly outcome: Promise<JobOutcome>;
  /** Worker shutdown: end the child (terminate with the cancel grace, or kill now), fail the job retryable. */
  abandon(how: 'terminate' | 'kill'): void;
}

type Stop =
  { why: 'cancel' } | { why: 'lost'; reason: string } | { why: 'abandon'; how: 'terminate' | 'kill' };

export function runJob(ctx: RunJobContext, claimed: ClaimAnswer): RunningJob {
  const job = claimed.job!;
  const lease = claimed.lease!;
  const { port, opts } = ctx;
  const graceMs = opts.cancelGraceSeconds * 1000;
  let stop: Stop | null = null;
  // Read through a call: TypeScript cannot see that callbacks set `stop` while the run awaits.
  const current = (): Stop | null => stop;
  let child: ChildHandle | null = null;
  let suspended = false;
  let paused = false;
  // Whether the stop reached the job's work: a living child signalled, or steps left unrun. A stop
  // that came after the last child already ended on its own does not override its result.
  let interrupted = false;
  // Wakes a checkpoint waiting out a quiesce.
  let wake: () => void = () => {};

  const endChild = (how: 'terminate' | 'kill') => {
    if (!child) return;
    if (leaderAlive(child)) interrupted = true;
    if (suspended) {
      child.resume();
      suspended = false;
    }
    if (how === 'kill') child.kill();
    else void child.terminate(graceMs);
  };

  const setStop = (s: Stop) => {
    if (s.why === 'lost') {
      // Overrides everything: the job is no longer ours, so nothing is reported.
      stop = s;
      endChild('kill');
    } else if (s.why === 'abandon') {
      // A cancel already under way is still acknowledged; the child ends as the worker asks.
      stop ??= s;
      endChild(s.how);
    } else {
      // Whatever stop holds: watchJob would answer at once, forever, for a cancelled job.
      heartbeat.stopPush();
      if (!stop) {
        stop = s;
        endChild('terminate');
      }
    }
    wake();
  };

  const onAnswer = (answer: HeartbeatAnswer) => {
    ctx.onSystem?.(answer.system);
    if (answer.action === 'cancel') return setStop({ why: 'cancel' });
    if (answer.action === 'pause') {
      if (!paused) opts.log.info({ jobId: job.id }, 'quiesce: pausing this job');
      paused = true;
      if (opts.quiesceSignal && child && !suspended && !stop) {
        child.suspend();
        suspended = true;
      }
      return;
    }
    if (paused) opts.log.info({ jobId: job.id }, 'quiesce lifted: continuing this job');
    paused = false;
    if (suspended && child) {
      child.resume();
      suspended = false;
    }
    wake();
  };

  const heartbeat = new JobHeartbeat({
    port,
    jobId: job.id,
    leaseToken: lease.token,
    leaseSeconds: lease.seconds,
    pauseVersion: claimed.system.version,
    push: opts.push,
    log: opts.log,
    onAnswer,
    onLost: (reason) => {
      opts.log.warn({ jobId: job.id, reason }, 'lease lost: killing the child; the job is no longer ours');
      setStop({ why: 'lost', reason });
    },
  });

  const output = jobOutput(port, job.id, lease.token, ctx.redact, opts.log);

  /** Between steps: a cancel or stop ends here; a quiesce waits here (heartbeating) until lifted. */
  const checkpoint = async (next: number, total: number): Promise<boolean> => {
    if (paused && !stop) {
      await heartbeat.beat(`quiesced: paused before step ${next + 1} of ${total}`);
      while (paused && !stop) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          // A heartbeat answer (or the stop) calls wake; the beat loop runs meanwhile.
          setTimeout(resolve, heartbeat.intervalMs);
        });
      }
    }
    return stop === null;
  };

  const run = async (): Promise<JobOutcome> => {
    heartbeat.start();
    let settlement: Settlement;
    try {
      settlement = await runSteps();
    } catch (err) {
      // A bug of ours or a spawn that threw: fail for good rather than leave the job running with no child.
      settlement = {
        kind: 'fail',
        error: tailOf(ctx.redact(`the worker could not run the command: ${errText(err)}`)),
        retryable: false,
      };
    }
    try {
      await output.close();
      await heartbeat.stop();
    } catch (err) {
      opts.log.warn({ jobId: job.id, err: errText(err) }, 'could not flush the job output');
    }
    return finish(settlement, lastExit);
  };

  let lastExit: ChildExit | null = null;
  const runSteps = async (): Promise<Settlement> => {
    const plan = planJob(job.payload, opts);
    if ('error' in plan) return { kind: 'fail', error: plan.error, retryable: false };
    let settlement: Settlement = { kind: 'fail', error: 'no command ran', retryable: true };
    for (let i = 0; i < plan.steps.length; i++) {
      if ((i > 0 && !(await checkpoint(i, plan.steps.length))) || current()) {
        interrupted = true;
        break;
      }
      let c: ChildHandle;
      try {
        const argv = fillPlaceholders(plan.steps[i]!, job.payload);
        if (!argv[0]) throw new Error('the program name (the first argument) is empty');
        c = spawnChild({
          argv,
          env: childEnv(opts.env, job),
          stdin: JSON.stringify(job.payload),
          onLine: output.line,
          redact: ctx.redact,
        });
      } catch (err) {
        // Bad arguments (an empty program, NUL in an argument): every attempt would fail alike.
        settlement = { kind: 'fail', error: tailOf(ctx.redact(errText(err))), retryable: false };
        break;
      }
      child = c;
      // A pause or stop that arrived while it was starting applies to it now.
      const now = current();
      if (now) endChild(now.why === 'abandon' ? now.how : now.why === 'lost' ? 'kill' : 'terminate');
      else if (paused && opts.quiesceSignal) {
        c.suspend();
        suspended = true;
      }
      const exit: ChildExit = await c.exited;
      lastExit = exit;
      child = null;
      suspended = false;
      settlement = settle(exit, opts.noRetryExitCodes, ctx.redact);
      if (settlement.kind === 'fail') break;
    }
    return settlement;
  };

  const finish = async (settlement: Settlement, exit: ChildExit | null): Promise<JobOutcome> => {
    const base = { jobId: job.id, leaseToken: lease.token };
    const now = current();
    if (now?.why === 'lost') return 'abandoned';
    // The last child ended on its own before the stop came: its result stands.
    const s = interrupted || exit === null ? now : null;
    try {
      if (s?.why === 'cancel') {
        const how = exit?.signal ? `ended by ${exit.signal}` : 'stopped';
        await reliably(() => port.ackCancel({ ...base, message: `The worker ${how} the command.` }));
        return 'cancelled';
      }
      if (s?.why === 'abandon') {
        await reliably(() => port.fail({ ...base, error: 'worker shutting down', retryable: true }));
        return 'abandoned';
      }
      if (settlement.kind === 'complete') {
        const { kind: _kind, ...rest } = settlement;
        const { result: _result, ...summaryOnly } = rest;
        await reduced(
          () => port.complete({ ...base, ...rest }),
          () => port.complete({ ...base, ...summaryOnly }),
          () => port.complete(base),
        );
        return 'succeeded';
      }
      const { retryable } = settlement;
      await reduced(
        () => port.fail({ ...base, error: settlement.error, retryable }),
        () =>
          port.fail({ ...base, error: 'the command failed; the queue refused its error text', retryable }),
      );
      return 'failed';
    } catch (err) {
      opts.log.warn({ jobId: job.id, err: errText(err) }, 'could not report the end of the job');
      return 'abandoned';
    }
  };

  const outcome = run();
  return { jobId: job.id, outcome, abandon: (how) => setStop({ why: 'abandon', how }) };
}

/** A living process group leader (not one that already exited and was reaped). */
function leaderAlive(child: ChildHandle): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ending call, and smaller ones when the queue refuses it for its content (invalid_argument,
 * payload_too_large): a job must not stay running with no child because its result was refused.
 */
async function reduced(...calls: (() => Promise<unknown>)[]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await reliably(calls[i]!);
      return;
    } catch (err) {
      const refused =
        isQueueError(err) && (err.code === 'invalid_argument' || err.code === 'payload_too_large');
      if (!refused || i === calls.length - 1) throw err;
    }
  }
}

/** The ending call, tried again while the queue is unavailable (a few times, over a few seconds). */
async function reliably<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isQueueError(err) || err.code !== 'unavailable' || attempt >= 5) throw err;
      await sleep(500 * 2 ** attempt);
    }
  }
}
