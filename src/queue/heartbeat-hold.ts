// A heartbeat that holds while its answer is `pause` (SPEC §8 quiesce): with `waitSeconds` a paused
// worker sleeps inside one call and is answered as soon as the action changes (resume → continue,
// cancel → cancel), instead of heartbeating once a minute and noticing late.
//
// The lease: the first beat extends it as any heartbeat does. waitSeconds is capped at 50 (as a
// claim's long-poll), and while holding the call beats again whenever half of the lease is gone,
// so a short lease cannot lapse under a held call either.
import type { HeartbeatAnswer } from '../core/types.js';
import type { QueueContext } from './context.js';
import { heartbeat } from './lease.js';
import * as S from './schemas.js';
import { parseInput } from './validate.js';
import { toSystem } from './view.js';
import { jobMatch } from './wakeups.js';

// Re-read at least this often even without a wake-up: a notification is a speed-up only.
const RECHECK_MS = 1_000;
const WAITING_REPORT_MS = 5_000;
// Shortest wait between beats. Renewal is due half a lease after a beat; when a beat (or the read
// after it) is slower than that, as with a 1-second lease on a loaded database, the time left is 0
// or less and the hold would beat back to back, loading the very database that is slow. A beat
// every 100 ms still renews any lease (at least 1 s) many times before it could lapse.
export const MIN_BEAT_GAP_MS = 100;

export interface HeartbeatOptions {
  /** Ends the hold (the caller went away); answers the last beat. */
  signal?: AbortSignal;
  /** Called about every few seconds while the hold waits. */
  onWaiting?: (waitedSeconds: number, totalSeconds: number) => void;
}

export async function heartbeatHolding(
  ctx: QueueContext,
  raw: S.HeartbeatInput,
  opts: HeartbeatOptions = {},
): Promise<HeartbeatAnswer> {
  const input = parseInput(S.heartbeatInput, raw, 'heartbeat');
  if (input.waitSeconds <= 0 || opts.signal?.aborted) return heartbeat(ctx, input);
  const started = performance.now();
  const deadline = started + input.waitSeconds * 1000;
  // Opened before the first beat, so a resume or cancel request landing in between still wakes us.
  const waiter = await ctx.wakeups.open(jobMatch(input.jobId));
  try {
    let answer = await heartbeat(ctx, input);
    // Later beats keep the lease and read the action; message and progress were written once.
    const beat: S.HeartbeatInput = {
      jobId: input.jobId,
      leaseToken: input.leaseToken,
      ...(input.leaseSeconds !== undefined ? { leaseSeconds: input.leaseSeconds } : {}),
    };
    let renewAt = halfLease(answer);
    let lastReport = started;
    while (answer.action === 'pause') {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return answer;
      await waiter.wait(holdWaitMs(remaining, renewAt - performance.now()), opts.signal);
      if (opts.signal?.aborted) return answer;
      const now = performance.now();
      // At the deadline beat once more, so the answer carries the lease as it is now. A wake-up is
      // a reason to look (a read), not to write: on SQLite every commit of another process wakes
      // every holder, so beating on each wake-up made paused holders in separate processes wake
      // each other and write without end.
      if (now >= renewAt || now >= deadline || (await changed(ctx, input.jobId, answer))) {
        answer = await heartbeat(ctx, beat);
        renewAt = halfLease(answer);
      }
      if (opts.onWaiting && now - lastReport >= WAITING_REPORT_MS) {
        lastReport = now;
        opts.onWaiting((now - started) / 1000, input.waitSeconds);
      }
    }
    return answer;
  } finally {
    waiter.close();
  }
}

/** How long the hold sleeps: to the deadline, the next re-check or the renewal, whichever comes
 * first; but never less than MIN_BEAT_GAP_MS before a renewal, so it never beats back to back. */
export const holdWaitMs = (remainingMs: number, renewInMs: number): number =>
  Math.min(remainingMs, RECHECK_MS, Math.max(MIN_BEAT_GAP_MS, renewInMs));

const halfLease = (a: HeartbeatAnswer): number => performance.now() + (a.lease.seconds * 1000) / 2;

/** Reads only: has anything the pause answer depended on moved (pause state, cancel, the lease)? */
async function changed(ctx: QueueContext, jobId: string, last: HeartbeatAnswer): Promise<boolean> {
  const [pauses, job] = await Promise.all([ctx.control.ofJob(jobId), ctx.store.jobGet({ id: jobId })]);
  return (
    toSystem(pauses.fleet, pauses.own).version !== last.system.version ||
    !job ||
    job.status !== 'running' ||
    job.cancelRequestedAt !== null ||
    job.leaseToken !== last.lease.token
  );
}
