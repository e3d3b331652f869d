// Upkeep (SPEC §6, §15): the lease-expiry sweep and retention pruning, and the background loop a
// long-lived process (MCP server, serve, worker) runs them in. Any number of processes may run it
// at once; every step is idempotent.
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueError } from '../core/errors.js';
import { writeDecision } from './cas.js';
import type { QueueContext } from './context.js';
import { decideAttemptEnd } from './transitions.js';

// The expiry sweep runs at most this often when triggered by claims.
const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 100;
const PRUNE_BATCH = 100;
// Longer than SQLite's first busy-handler retries (1, 2, 5 ms…), so a waiting process gets the lock.
const PRUNE_PAUSE_MS = 10;

export class Maintenance {
  private lastSweepMs = 0;

  constructor(private readonly ctx: Omit<QueueContext, 'sweepIfDue'>) {}

  /** Requeues or dead-letters running jobs whose lease expired. Idempotent across processes; skipped while paused. */
  async sweepExpired(): Promise<number> {
    const { ctx } = this;
    const pause = await ctx.control.state();
    if (pause.paused) return 0;
    this.lastSweepMs = performance.now();
    const now = ctx.clock.now();
    const expired = await ctx.store.jobsExpiredList({ now, limit: SWEEP_BATCH });
    let handled = 0;
    for (const job of expired) {
      const d = decideAttemptEnd(job, { kind: 'expired' }, now, ctx.settings.backoff, ctx.random);
      // Another process may have swept it, or the holder heartbeated just now: then this is a no-op.
      if (await writeDecision(ctx, job.id, d, now, job)) handled++;
    }
    return handled;
  }

  async sweepIfDue(): Promise<void> {
    if (performance.now() - this.lastSweepMs >= SWEEP_INTERVAL_MS) await this.sweepExpired();
  }

  /**
   * Deletes jobs (and their events) that finished more than `days` ago; returns how many. Small
   * batches with a pause between them: on SQLite each batch holds the file's write lock, and claims
   * of this and other processes must get it in between.
   */
  async pruneFinished(days: number, opts: { signal?: AbortSignal } = {}): Promise<number> {
    if (!Number.isFinite(days) || days < 0) {
      throw new QueueError(
        'invalid_argument',
        `Invalid prune arguments: days must be a number ≥ 0, e.g. 14.`,
      );
    }
    const cutoff = new Date(this.ctx.clock.now().getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await this.ctx.store.jobsPrune({ finishedBefore: cutoff, limit: PRUNE_BATCH });
      total += n;
      // Stopped (the process is shutting down): the rest waits for the next run.
      if (n < PRUNE_BATCH || opts.signal?.aborted) return total;
      await sleep(PRUNE_PAUSE_MS);
    }
  }
}

export interface SweeperOptions {
  intervalMs?: number;
  retentionDays?: number;
  pruneEveryMs?: number;
  /** Called after a tick that reached the database, so a caller can notice recovery. */
  onOk?: () => void;
  onError?: (err: unknown) => void;
}

type Upkeep = Pick<Maintenance, 'sweepExpired' | 'pruneFinished'> & {
  /** Recurring jobs (schedules.ts): every live process fires them; each tick enqueues once. */
  fireDueSchedules?: () => Promise<number>;
};

/** The background loop: the expiry sweep and due schedules about every second, pruning about hourly. */
export function startSweeper(upkeep: Upkeep, opts: SweeperOptions = {}): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 1_000;
  const pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
  let lastPrune = 0;
  let running: Promise<void> | null = null;
  let stopped = false;
  // A large prune stops between batches instead of holding up shutdown.
  const stopping = new AbortController();

  const tick = async () => {
    try {
      await upkeep.sweepExpired();
      // Also while paused: a pause stops claims, not enqueues.
      await upkeep.fireDueSchedules?.();
      if (opts.retentionDays && Date.now() - lastPrune >= pruneEveryMs) {
        lastPrune = Date.now();
        await upkeep.pruneFinished(opts.retentionDays, { signal: stopping.signal });
      }
      opts.onOk?.();
    } catch (err) {
      opts.onError?.(err);
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
