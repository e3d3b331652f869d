// Waiting for a job's timeline to grow (the REST event stream): woken at once by a write in this
// process (the observers) or by a wake-up signal about the job from another process (a cancel
// request, a requeue), and otherwise by the caller's own fallback timeout, since most writes of
// other processes send no signal (a NOTIFY per event would serialise commits on PostgreSQL).
import type { QueueContext } from './context.js';
import { jobMatch } from './wakeups.js';

export interface ActivityWatch {
  /** Resolves true on activity since the watch opened or the last wait, false after ms or abort. */
  wait(ms: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

/** Open it before reading, so that a write between the read and the wait is not missed. */
export async function watchActivity(
  ctx: Pick<QueueContext, 'wakeups' | 'observers'>,
  jobId: string,
): Promise<ActivityWatch> {
  const waiter = await ctx.wakeups.open(jobMatch(jobId));
  let pending = false;
  let wake: (() => void) | null = null;
  const off = ctx.observers.add((a) => {
    if (a.job.id !== jobId) return;
    pending = true;
    wake?.();
  });
  return {
    async wait(ms, signal) {
      if (pending || signal?.aborted) {
        const got = pending;
        pending = false;
        return got;
      }
      const inner = new AbortController();
      const onAbort = () => inner.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      wake = onAbort;
      try {
        const signalled = await waiter.wait(ms, inner.signal);
        return signalled || pending;
      } finally {
        wake = null;
        pending = false;
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close() {
      off();
      waiter.close();
    },
  };
}
