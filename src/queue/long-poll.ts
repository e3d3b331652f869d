// The long-poll loop of a claim (SPEC §6 waitSeconds): try, and if nothing came of it, sleep until
// a wake-up, the next delayed job is due, or a fallback re-check; until the deadline or an abort.
import type { Waiter } from './wakeups.js';

// Re-check at least this often even without a wake-up: a notification is a speed-up only.
const POLL_FALLBACK_MS = 1_000;
const WAITING_REPORT_MS = 5_000;

export interface LongPoll<A> {
  waitSeconds: number;
  open: () => Promise<Waiter>;
  attempt: () => Promise<A>;
  done: (answer: A) => boolean;
  /** Milliseconds until the next delayed candidate is due (Infinity when none), after this answer. */
  msUntilDue: (answer: A) => Promise<number>;
  signal?: AbortSignal;
  onWaiting?: (waitedSeconds: number, totalSeconds: number) => void;
}

export async function longPoll<A>(p: LongPoll<A>): Promise<A> {
  const started = performance.now();
  const deadline = started + p.waitSeconds * 1000;
  const waiter = await p.open();
  let lastReport = started;
  try {
    for (;;) {
      const answer = await p.attempt();
      const remaining = deadline - performance.now();
      if (p.done(answer) || remaining <= 0 || p.signal?.aborted) return answer;
      const untilDue = await p.msUntilDue(answer);
      await waiter.wait(Math.min(remaining, POLL_FALLBACK_MS, Math.max(untilDue, 0)), p.signal);
      // The caller went away: claiming now would hand a job to nobody until its lease expires.
      if (p.signal?.aborted) return answer;
      if (p.onWaiting && performance.now() - lastReport >= WAITING_REPORT_MS) {
        lastReport = performance.now();
        p.onWaiting((lastReport - started) / 1000, p.waitSeconds);
      }
    }
  } finally {
    waiter.close();
  }
}
