// QueueService: the one entry to the rules of SPEC §5–§9. Surfaces (MCP, REST, CLI, worker) call
// it and only format the answers. It is a façade: each operation lives in its own module (enqueue,
// claim, lease, operator, reads, maintenance), every decision in transitions.ts, and the one
// compare-and-set loop in cas.ts; the store only runs the SQL they ask for.
import type { Store } from '../store/store.js';
import type { ClaimAnswer, HeartbeatAnswer, HeldAnswer, Job, JobEvent, JobPage } from '../core/types.js';
import { claim, type ClaimOptions } from './claim.js';
import { systemClock, type Clock } from './clock.js';
import type { QueueContext } from './context.js';
import { PauseControl } from './control.js';
import { enqueue, type EnqueueOptions } from './enqueue.js';
import { heartbeatHolding, type HeartbeatOptions } from './heartbeat-hold.js';
import { held } from './held.js';
import { ackCancel, complete, fail, log, watchJob } from './lease.js';
import { Maintenance } from './maintenance.js';
import { cancel, retry } from './operator.js';
import { events, get, list } from './reads.js';
import type * as S from './schemas.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './settings.js';
import { wait, type WaitAnswer, type WaitOptions } from './wait.js';
import { toJob } from './view.js';
import { Wakeups } from './wakeups.js';
import type { WorkerPort } from './worker-port.js';

export type { ClaimOptions } from './claim.js';
export type { HeartbeatOptions } from './heartbeat-hold.js';
export type { WaitAnswer, WaitOptions } from './wait.js';

export interface ServiceOptions {
  store: Store;
  clock?: Clock;
  settings?: Partial<QueueSettings>;
  /** Source of jitter; tests pass a fixed one. */
  random?: () => number;
  /** The wake-up fan-out; tests pass their own to await an idle long-poll (`whenIdle`). */
  wakeups?: Wakeups;
}

export class QueueService implements WorkerPort {
  readonly clock: Clock;
  readonly settings: QueueSettings;
  /** Fleet pause: pause, resume, status (SPEC §8). */
  readonly control: PauseControl;
  private readonly ctx: QueueContext;
  private readonly upkeep: Maintenance;

  constructor(opts: ServiceOptions) {
    const store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.control = new PauseControl(store, this.clock);
    const base = {
      store,
      clock: this.clock,
      settings: this.settings,
      random: opts.random ?? Math.random,
      control: this.control,
      wakeups: opts.wakeups ?? new Wakeups(store),
    };
    this.upkeep = new Maintenance(base);
    this.ctx = { ...base, sweepIfDue: () => this.upkeep.sweepIfDue() };
  }

  async close(): Promise<void> {
    await this.ctx.wakeups.close();
  }

  enqueue(input: S.EnqueueInput, opts: EnqueueOptions = {}): Promise<{ job: Job; deduplicated: boolean }> {
    return enqueue(this.ctx, input, opts);
  }
  /** Long-polls until the job ends (or the deadline, or the signal): the producer's await. */
  wait(input: S.WaitInput, opts: WaitOptions = {}): Promise<WaitAnswer> {
    return wait(this.ctx, input, opts);
  }
  /** The job submitted as the MCP task with this id, or null (an unknown id, or a pruned job). */
  async jobOfTask(taskId: string): Promise<Job | null> {
    const job = await this.ctx.store.jobGetByTaskId({ taskId });
    return job ? toJob(job) : null;
  }

  // ── the worker's port ──────────────────────────────────────────────────────────────────────
  claim(input: S.ClaimInput, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
    return claim(this.ctx, input, opts);
  }
  /** With `waitSeconds`, a `pause` answer is held until the action changes or the deadline. */
  heartbeat(input: S.HeartbeatInput, opts: HeartbeatOptions = {}): Promise<HeartbeatAnswer> {
    return heartbeatHolding(this.ctx, input, opts);
  }
  complete(input: S.CompleteInput): Promise<{ job: Job }> {
    return complete(this.ctx, input);
  }
  fail(input: S.FailInput): Promise<{ job: Job }> {
    return fail(this.ctx, input);
  }
  ackCancel(input: S.AckCancelInput): Promise<{ job: Job }> {
    return ackCancel(this.ctx, input);
  }
  /** The running jobs this worker id holds, with their lease tokens: pass only the caller's own id. */
  held(input: S.HeldInput): Promise<HeldAnswer> {
    return held(this.ctx, input);
  }
  log(input: S.LogInput): Promise<{ written: number }> {
    return log(this.ctx, input);
  }
  watchJob(
    jobId: string,
    opts: { timeoutMs: number; signal?: AbortSignal; pauseVersion?: number },
  ): Promise<boolean> {
    return watchJob(this.ctx, jobId, opts);
  }

  // ── producers and operators ────────────────────────────────────────────────────────────────
  cancel(input: S.CancelInput): Promise<{ job: Job }> {
    return cancel(this.ctx, input);
  }
  retry(input: S.RetryInput): Promise<{ job: Job }> {
    return retry(this.ctx, input);
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────
  get(input: S.GetInput): Promise<{ job: Job; events?: JobEvent[] }> {
    return get(this.ctx, input);
  }
  /** Summaries (no payload, result) unless `full`; a page also ends at a byte budget. */
  list(input: S.ListInput & { full: true }): Promise<JobPage<Job>>;
  list(input?: S.ListInput): Promise<JobPage>;
  list(input: S.ListInput = {}): Promise<JobPage> {
    return list(this.ctx, input);
  }
  events(input: S.EventsInput): Promise<{ events: JobEvent[] }> {
    return events(this.ctx, input);
  }

  // ── upkeep ─────────────────────────────────────────────────────────────────────────────────
  /** Requeues or dead-letters running jobs whose lease expired; skipped while paused. */
  sweepExpired(): Promise<number> {
    return this.upkeep.sweepExpired();
  }
  /** Deletes jobs (and their events) that finished more than `days` ago; returns how many. */
  pruneFinished(days: number, opts: { signal?: AbortSignal } = {}): Promise<number> {
    return this.upkeep.pruneFinished(days, opts);
  }
}
