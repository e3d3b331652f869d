// Await a job's end (SPEC §16 "Delegate and await"): the producer's long-poll. Answers as soon as
// the job is terminal, woken by its `job_finished` signal (NOTIFY on PostgreSQL, the file's
// data_version on SQLite), else with the job as it stands at the deadline or when the caller leaves.
import type { Job } from '../core/types.js';
import { isTerminal } from '../core/job.js';
import type { QueueContext } from './context.js';
import { inQueue, notFound } from './errors.js';
import { longPoll } from './long-poll.js';
import * as S from './schemas.js';
import { parseInput } from './validate.js';
import { toJob, withoutPayload } from './view.js';
import { awaitMatch } from './wakeups.js';

/** The job without its payload (the caller sent it), and whether it has ended. */
export interface WaitAnswer {
  job: Omit<Job, 'payload'>;
  done: boolean;
}

export interface WaitOptions {
  /** Ends the wait (the caller went away); answers the job as it is. */
  signal?: AbortSignal;
  /** Called about every few seconds while waiting. */
  onWaiting?: (waitedSeconds: number, totalSeconds: number) => void;
  /**
   * Also ends the wait early when this holds (an MCP task counts a cancel request as its end).
   * `done` in the answer still says only whether the job is terminal.
   */
  until?: (job: Job) => boolean;
}

export async function wait(ctx: QueueContext, raw: S.WaitInput, opts: WaitOptions = {}): Promise<WaitAnswer> {
  const input = parseInput(S.waitInput, raw, 'wait');
  const read = async (): Promise<Job> => {
    const job = inQueue(await ctx.store.jobGet({ id: input.jobId }), input.queue);
    if (!job) throw notFound(input.jobId);
    return toJob(job);
  };
  const ended = (job: Job) => isTerminal(job.status) || (opts.until?.(job) ?? false);
  if (input.waitSeconds <= 0 || opts.signal?.aborted) {
    const job = await read();
    return { job: withoutPayload(job), done: isTerminal(job.status) };
  }
  // The first look counts this wait in on the job's row (store.jobAwait): on PostgreSQL only an
  // awaited job's end sends the NOTIFY that wakes us. Counted out again however the wait ends.
  let counted = false;
  const firstLook = async (): Promise<Job> => {
    const written = await ctx.store.jobAwait({ id: input.jobId, delta: 1 });
    counted = written !== null;
    const row = inQueue(written, input.queue);
    if (!row) throw notFound(input.jobId);
    return toJob(row);
  };
  let looked = false;
  try {
    const job = await longPoll({
      waitSeconds: input.waitSeconds,
      // Opened before the first look, so an end landing in between still wakes us.
      open: () => ctx.wakeups.open(awaitMatch(input.jobId)),
      attempt: () => (looked ? read() : ((looked = true), firstLook())),
      done: ended,
      msUntilDue: () => Promise.resolve(Infinity),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
    });
    return { job: withoutPayload(job), done: isTerminal(job.status) };
  } finally {
    // Best effort: a count left behind (the process died) only costs that job one needless NOTIFY.
    if (counted) await ctx.store.jobAwait({ id: input.jobId, delta: -1 }).catch(() => undefined);
  }
}
