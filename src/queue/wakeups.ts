// Fans the store's wake-up signals out to whoever is waiting in this process (long-poll claims,
// a worker watching its job for a cancel request). One store subscription per service.
import { isTerminal } from '../core/job.js';
import type { JobRecord, Signal, Store } from '../store/store.js';
import type { Decision } from './transitions.js';

type Match = (s: Signal) => boolean;

/** Collects matching signals from the moment it is opened, so a wake-up is never missed between checks. */
export interface Waiter {
  /** Resolves true on a matching signal (or one that came since the last wait), false after ms or abort. */
  wait(ms: number, abort?: AbortSignal): Promise<boolean>;
  close(): void;
}

interface Entry {
  match: Match;
  fire: () => void;
  /** Blocked in wait() right now (not busy claiming). */
  idle: () => boolean;
}

/**
 * With nobody waiting for this long, the store subscription is let go: on SQLite it polls the file
 * every few ms, which an idle server (an MCP session between claims) should not pay for. The next
 * waiter subscribes again before its first look, so nothing is missed.
 */
const IDLE_RELEASE_MS = 5_000;

export class Wakeups {
  private readonly waiters = new Set<Entry>();
  private subscription: Promise<() => void> | null = null;
  private releaseTimer: NodeJS.Timeout | null = null;
  /** Callers of whenIdle() still waiting for enough idle waiters (empty unless a test asks). */
  private idleWatches: { n: number; resolve: () => void }[] = [];
  private readonly idleReleaseMs: number;

  constructor(
    private readonly store: Store,
    opts: { idleReleaseMs?: number } = {},
  ) {
    this.idleReleaseMs = opts.idleReleaseMs ?? IDLE_RELEASE_MS;
  }

  /** Lets the subscription go once nobody has waited for idleReleaseMs. */
  private releaseWhenIdle(): void {
    if (this.waiters.size > 0 || !this.subscription || this.releaseTimer) return;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = null;
      if (this.waiters.size > 0 || !this.subscription) return;
      const subscription = this.subscription;
      this.subscription = null;
      void subscription.then(
        (unsubscribe) => unsubscribe(),
        () => undefined,
      );
    }, this.idleReleaseMs);
    this.releaseTimer.unref();
  }

  private dispatch(s: Signal): void {
    const matching = [...this.waiters].filter((w) => w.match(s));
    // One new job is one claim: wake a single idle waiter (the longest idle, then it goes last)
    // instead of a herd that would all race for it. Busy waiters re-check anyway, so if none is
    // idle, mark them all. Pause changes and unknown changes concern every waiter.
    const one = s.kind === 'job_ready' ? matching.find((w) => w.idle()) : undefined;
    if (one) {
      this.waiters.delete(one);
      this.waiters.add(one);
      one.fire();
      return;
    }
    for (const w of matching) w.fire();
  }

  async open(match: Match): Promise<Waiter> {
    if (this.releaseTimer) {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = null;
    }
    // A subscription that failed (database away) is dropped, so the next open() tries again.
    this.subscription ??= this.store
      .subscribe((s) => this.dispatch(s))
      .catch((err: unknown) => {
        this.subscription = null;
        throw err;
      });
    let pending = false;
    let wake: (() => void) | null = null;
    const entry: Entry = {
      match,
      fire: () => {
        pending = true;
        wake?.();
      },
      idle: () => wake !== null,
    };
    this.waiters.add(entry);
    try {
      await this.subscription;
    } catch (err) {
      this.waiters.delete(entry);
      this.releaseWhenIdle();
      throw err;
    }
    return {
      wait: (ms, abort) =>
        new Promise<boolean>((resolve) => {
          if (pending || abort?.aborted) {
            const got = pending;
            pending = false;
            return resolve(got);
          }
          const done = (got: boolean) => {
            clearTimeout(timer);
            abort?.removeEventListener('abort', onAbort);
            wake = null;
            pending = false;
            resolve(got);
          };
          const onAbort = () => done(false);
          const timer = setTimeout(() => done(false), Math.max(0, ms));
          abort?.addEventListener('abort', onAbort, { once: true });
          wake = () => done(true);
          this.noteIdle();
        }),
      close: () => {
        this.waiters.delete(entry);
        this.releaseWhenIdle();
      },
    };
  }

  /**
   * Resolves once at least n waiters are blocked in wait() at the same moment: a long-poll claim or a
   * watchJob has made its check and now sleeps until a wake-up. Tests await this instead of sleeping
   * "long enough" before they make the change that should wake it. Costs nothing when unused.
   */
  whenIdle(n = 1): Promise<void> {
    if (this.idleCount() >= n) return Promise.resolve();
    return new Promise((resolve) => this.idleWatches.push({ n, resolve }));
  }

  private idleCount(): number {
    let idle = 0;
    for (const w of this.waiters) if (w.idle()) idle++;
    return idle;
  }

  private noteIdle(): void {
    if (this.idleWatches.length === 0) return;
    const idle = this.idleCount();
    this.idleWatches = this.idleWatches.filter((w) => (idle >= w.n ? void w.resolve() : true));
  }

  async close(): Promise<void> {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    const unsubscribe = await this.subscription?.catch(() => null);
    unsubscribe?.();
    this.subscription = null;
    this.waiters.clear();
  }
}

/**
 * Signals that may make a job claimable for a claimer of this queue with these types (undefined:
 * any, as the claim schema leaves them) and capabilities, or that change a pause that applies to it
 * (the fleet's, or this queue's own). A signal without a queue is from a sender that does not say:
 * looking costs one claim, missing it a whole wait.
 */
export const claimMatch =
  (queue: string, types: readonly string[] | undefined, capabilities: readonly string[]): Match =>
  (s) =>
    s.kind === 'changed' ||
    (s.kind === 'pause_changed' && (s.queue === undefined || s.queue === queue)) ||
    // The key's queued jobs may be of any type: every claimer looks (the herd is bounded by the key's room).
    s.kind === 'key_room' ||
    (s.kind === 'job_ready' &&
      (s.queue === undefined || s.queue === queue) &&
      (!types || types.includes(s.type)) &&
      (s.requiredCapabilities ?? []).every((c) => capabilities.includes(c)));

/** Signals that concern one job (cancel request, pause changes) for a worker holding it. */
export const jobMatch =
  (jobId: string): Match =>
  (s) =>
    s.kind === 'changed' || s.kind === 'pause_changed' || (s.kind === 'job_changed' && s.jobId === jobId);

/** Signals that may end a wait on this job (queue_wait, tasks/result): its end, a cancel request. */
export const awaitMatch =
  (jobId: string): Match =>
  (s) =>
    s.kind === 'changed' || ((s.kind === 'job_changed' || s.kind === 'job_finished') && s.jobId === jobId);

/** A job became claimable: wakes one waiting claimer that may take it (queue, type and capabilities). */
export function readySignal(job: JobRecord): Signal {
  const ready = { kind: 'job_ready' as const, type: job.type, queue: job.queue };
  return job.requiredCapabilities.length > 0
    ? { ...ready, requiredCapabilities: job.requiredCapabilities }
    : ready;
}

/**
 * Who to wake after a transition: whoever awaits the job when it ends, claimers when it is
 * claimable again, the holder on a cancel request. `job` is the row decided on, when read.
 */
export function wakeupFor(id: string, d: Decision, job?: JobRecord): Signal | undefined {
  // One NOTIFY per finished job: a waiter elsewhere learns of the end at once instead of by polling.
  if (d.set.status && isTerminal(d.set.status)) return { kind: 'job_finished', jobId: id };
  if (!job) return undefined;
  if (d.set.status === 'queued') return readySignal(job);
  // A worker watching its job must learn of a cancel request at once; other changes it reads on heartbeat.
  return d.event?.kind === 'cancel_requested' ? { kind: 'job_changed', jobId: id } : undefined;
}

/**
 * The wake-up for a write that took a job with a concurrency key out of `running` (complete, fail,
 * expiry, release, acknowledged cancel): its key has a free slot, and claimers that found the key
 * full sleep until told. Judged on the row written, since a complete writes without reading first.
 */
export function keyRoomAfter(d: Decision, written: JobRecord): Signal | undefined {
  const assumed = typeof d.expect.status === 'string' ? [d.expect.status] : d.expect.status;
  if (written.concurrencyKey === null || written.status === 'running' || !assumed.includes('running')) {
    return undefined;
  }
  return { kind: 'key_room', key: written.concurrencyKey };
}
