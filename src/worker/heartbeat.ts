// The background heartbeat of one running job (SPEC §13): a beat every min(lease/3, 5 s), and
// unless push is off a watchJob loop that beats at once when the queue signals a change, so a cancel
// or a pause acts well under one beat. Every answer goes to `onAnswer`; a lost lease to `onLost`.
import type { HeartbeatAnswer } from '../core/types.js';
import { isQueueError } from '../core/errors.js';
import type { Logger } from '../log.js';
import type { WorkerPort } from '../queue/worker-port.js';

/** Push-driven beats are at least this far apart. */
const MIN_PUSH_GAP_MS = 100;

export interface HeartbeatOptions {
  port: WorkerPort;
  jobId: string;
  leaseToken: string;
  leaseSeconds: number;
  /** system.version of the claim answer: the pause state the holder knows. */
  pauseVersion: number;
  push: boolean;
  log: Logger;
  onAnswer(answer: HeartbeatAnswer): void;
  onLost(reason: string): void;
}

/** min(lease/3, 5 s), in milliseconds (at least 50 ms). */
export function beatIntervalMs(leaseSeconds: number): number {
  return Math.max(50, Math.min((leaseSeconds * 1000) / 3, 5_000));
}

/** Sleeps ms, or less when the signal aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class JobHeartbeat {
  readonly intervalMs: number;
  private readonly stopper = new AbortController();
  /** The push loop alone: stopped once a cancel is known (watchJob would answer true at once, forever). */
  private readonly pushStopper = new AbortController();
  private pauseVersion: number;
  private inFlight: Promise<boolean> | null = null;
  private again = false;
  /** A timeline message asked for while a beat was in flight: the next beat carries it. */
  private pending: string | undefined;
  private lost = false;
  /** When the lease was last known to be ours (claim or a beat that got through): the local deadline. */
  private lastOk = performance.now();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly o: HeartbeatOptions) {
    this.intervalMs = beatIntervalMs(o.leaseSeconds);
    this.pauseVersion = o.pauseVersion;
  }

  start(): void {
    this.loops.push(this.beatLoop(), this.deadlineLoop());
    if (this.o.push) this.loops.push(this.pushLoop());
  }

  /** Ends the push loop (after a cancel: the beat loop keeps the lease while the child terminates). */
  stopPush(): void {
    this.pushStopper.abort();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    this.pushStopper.abort();
    await Promise.all(this.loops);
    await this.inFlight;
  }

  /**
   * One heartbeat now, with an optional timeline message; beats never overlap (one asked for during
   * a beat follows it, carrying its message). Resolves true when the last beat got through.
   */
  beat(message?: string): Promise<boolean> {
    if (message !== undefined) this.pending = message;
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const inFlight = (async () => {
      let ok = false;
      try {
        do {
          this.again = false;
          const msg = this.pending;
          this.pending = undefined;
          ok = await this.beatOnce(msg);
        } while (this.again && !this.stopped);
      } finally {
        this.inFlight = null;
      }
      return ok;
    })();
    this.inFlight = inFlight;
    return inFlight;
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted || this.lost;
  }

  private async beatOnce(message?: string): Promise<boolean> {
    if (this.stopped) return false;
    const { port, jobId, leaseToken } = this.o;
    const sent = performance.now();
    try {
      const answer = await port.heartbeat({ jobId, leaseToken, ...(message ? { message } : {}) });
      this.lastOk = sent;
      this.pauseVersion = answer.system.version;
      if (!this.stopper.signal.aborted) this.o.onAnswer(answer);
      return true;
    } catch (err) {
      if (isQueueError(err) && (err.code === 'lease_lost' || err.code === 'not_found')) {
        this.loseLease(err.message);
        return false;
      }
      // unavailable (or anything else): the child keeps running; the next beat tries again, unless
      // the lease has run out by our own clock: the queue may already have given the job to another.
      if (this.leaseRanOut()) {
        this.loseLease(
          `no heartbeat got through for the whole lease (${this.o.leaseSeconds} s): ${errText(err)}`,
        );
        return false;
      }
      this.o.log.warn({ jobId, err: errText(err) }, 'heartbeat failed; trying again at the next beat');
      return false;
    }
  }

  private leaseRanOut(): boolean {
    return performance.now() - this.lastOk >= this.o.leaseSeconds * 1000;
  }

  private loseLease(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.stopPush();
    this.o.onLost(reason);
  }

  private async beatLoop(): Promise<void> {
    while (!this.stopped) {
      await sleep(this.intervalMs, this.stopper.signal);
      if (this.stopped) return;
      await this.beat();
    }
  }

  /** The local lease deadline, also when a heartbeat call hangs past it. */
  private async deadlineLoop(): Promise<void> {
    while (!this.stopped) {
      const left = this.lastOk + this.o.leaseSeconds * 1000 - performance.now();
      if (left <= 0) {
        this.loseLease(`no heartbeat got through for the whole lease (${this.o.leaseSeconds} s)`);
        return;
      }
      await sleep(left, this.stopper.signal);
    }
  }

  private async pushLoop(): Promise<void> {
    const signal = this.pushStopper.signal;
    while (!this.stopped && !signal.aborted) {
      let woke = false;
      try {
        woke = await this.o.port.watchJob(this.o.jobId, {
          timeoutMs: this.intervalMs,
          pauseVersion: this.pauseVersion,
          signal,
        });
      } catch (err) {
        // Our own stop: a remote port's request rejects with the abort (the in-process one resolves).
        if (signal.aborted) return;
        this.o.log.warn({ jobId: this.o.jobId, err: errText(err) }, 'watching the job failed');
        await sleep(this.intervalMs, signal);
      }
      if (!woke || signal.aborted) continue;
      const began = performance.now();
      const ok = await this.beat();
      // A watch that keeps answering at once must not spin: after a beat that did not get through
      // (the pause version the watch compares stays stale) wait a whole beat interval.
      const gap = ok ? MIN_PUSH_GAP_MS : this.intervalMs;
      await sleep(gap - (performance.now() - began), signal);
    }
  }
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
