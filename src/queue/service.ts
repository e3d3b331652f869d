// QueueService: the one entry to the rules of SPEC §5–§9. Surfaces (MCP, REST, CLI, worker) call
// it and only format the answers. It is a façade: each operation lives in its own module (enqueue,
// claim, lease, operator, reads, maintenance), every decision in transitions.ts, and the one
// compare-and-set loop in cas.ts; the store only runs the SQL they ask for.
import type { Store } from '../store/store.js';
import type {
  ClaimAnswer,
  ClaimBatchAnswer,
  CompleteBatchAnswer,
  HeartbeatAnswer,
  HeldAnswer,
  Job,
  JobEvent,
  JobPage,
} from '../core/types.js';
import { claim, claimBatch, type ClaimOptions } from './claim.js';
import { completeBatch } from './complete-batch.js';
import { systemClock, type Clock } from './clock.js';
import type { QueueContext } from './context.js';
import { PauseControl } from './control.js';
import { enqueue, type EnqueueOptions } from './enqueue.js';
import { heartbeatHolding, type HeartbeatOptions } from './heartbeat-hold.js';
import { held } from './held.js';
import { release, type ReleaseAnswer } from './release.js';
import { ackCancel, complete, fail, log, watch, watchJob } from './lease.js';
import { Maintenance } from './maintenance.js';
import { cancel, retry } from './operator.js';
import { events, get, list, tally, type GetAnswer, type JobTally } from './reads.js';
import { enqueueGraph, type GraphAnswer } from './graph.js';
import type * as S from './schemas.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './settings.js';
import { TokenRegistry } from './tokens.js';
import { ConcurrencyLimits } from './limits.js';
import { wait, type WaitAnswer, type WaitOptions } from './wait.js';
import {
  addSchedule,
  fireDueSchedules,
  listSchedules,
  removeSchedule,
  type ScheduleView,
} from './schedules.js';
import { toJob } from './view.js';
import { inQueue } from './errors.js';
import { Wakeups } from './wakeups.js';
import { Observers, type QueueObserver } from './observers.js';
import { watchActivity, type ActivityWatch } from './activity.js';
import type { WorkerPort } from './worker-port.js';

export type { ClaimOptions } from './claim.js';
export type { HeartbeatOptions } from './heartbeat-hold.js';
export type { ActivityWatch } from './activity.js';
export type { JobActivity, QueueObserver } from './observers.js';
export type { GetAnswer, JobTally } from './reads.js';
export type { GraphAnswer } from './graph.js';
export type { WaitAnswer, WaitOptions } from './wait.js';
export type { ScheduleView } from './schedules.js';

export interface ServiceOptions {
  store: Store;
  clock?: Clock;
  settings?: Partial<QueueSettings>;
  /** Source of jitter; tests pass a fixed one. */
  random?: () => number;
  /** The wake-up fan-out; tests pass their own to await an idle long-poll (`whenIdle`). */
  wakeups?: Wakeups;
  /** How long verified tokens are trusted in memory (ms); tests pass 0. */
  tokenCacheMs?: number;
}

export class QueueService implements WorkerPort {
  readonly clock: Clock;
  readonly settings: QueueSettings;
  /** Pauses of the fleet or of one named queue: pause, resume, status (SPEC §8). */
  readonly control: PauseControl;
  /** Bearer tokens for HTTP (SPEC §12): create, list, revoke, verify. */
  readonly tokens: TokenRegistry;
  /** Concurrency-key limits (SPEC §16): set, remove, list. */
  readonly limits: ConcurrencyLimits;
  private readonly ctx: QueueContext;
  private readonly upkeep: Maintenance;

  constructor(opts: ServiceOptions) {
    const store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.control = new PauseControl(store, this.clock);
    this.tokens = new TokenRegistry(store, this.clock, {
      ...(opts.tokenCacheMs !== undefined ? { cacheMs: opts.tokenCacheMs } : {}),
    });
    this.limits = new ConcurrencyLimits(store, this.clock);
    const base = {
      store,
      clock: this.clock,
      settings: this.settings,
      random: opts.random ?? Math.random,
      control: this.control,
      wakeups: opts.wakeups ?? new Wakeups(store),
      observers: new Observers(),
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
  /** Several jobs and their dependencies (refs local to the call), inserted all or none. */
  enqueueGraph(input: S.EnqueueGraphInput): Promise<GraphAnswer> {
    return enqueueGraph(this.ctx, input);
  }
  /** Long-polls until the job ends (or the deadline, or the signal): the producer's await. */
  wait(input: S.WaitInput, opts: WaitOptions = {}): Promise<WaitAnswer> {
    return wait(this.ctx, input, opts);
  }
  /**
   * The job submitted as the MCP task with this id, or null (an unknown id, a pruned job, or with
   * `queue` a job of another queue).
   */
  async jobOfTask(taskId: string, queue?: string): Promise<Job | null> {
    const job = inQueue(await this.ctx.store.jobGetByTaskId({ taskId }), queue);
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
  /** Up to MAX_BATCH jobs in one answer, each with its own lease (see claimBatch in claim.ts). */
  claimBatch(input: S.ClaimBatchInput, opts: ClaimOptions = {}): Promise<ClaimBatchAnswer> {
    return claimBatch(this.ctx, input, opts);
  }
  /** Many completes in one write where safe; one result (the job, or its error) per item, in order. */
  completeBatch(input: S.CompleteBatchInput): Promise<CompleteBatchAnswer> {
    return completeBatch(this.ctx, input);
  }
  fail(input: S.FailInput): Promise<{ job: Job }> {
    return fail(this.ctx, input);
  }
  ackCancel(input: S.AckCancelInput): Promise<{ job: Job }> {
    return ackCancel(this.ctx, input);
  }
  /** The running jobs this worker id holds, with their lease tokens: pass only the caller's own id. */
  /**
   * Hands back a job claimed with this token whose answer could not be delivered: queued again,
   * its attempt not counted. A token that no longer holds the lease changes nothing.
   */
  release(input: S.ReleaseInput): Promise<ReleaseAnswer> {
    return release(this.ctx, input);
  }
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

  /** watchJob as one call with parsed input (a remote worker's, through REST). */
  watch(input: S.WatchInput, opts: { signal?: AbortSignal } = {}): Promise<{ changed: boolean }> {
    return watch(this.ctx, input, opts);
  }

  // ── producers and operators ────────────────────────────────────────────────────────────────
  cancel(input: S.CancelInput): Promise<{ job: Job }> {
    return cancel(this.ctx, input);
  }
  retry(input: S.RetryInput): Promise<{ job: Job }> {
    return retry(this.ctx, input);
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────
  get(input: S.GetInput): Promise<GetAnswer> {
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
  /** Jobs per (status, type), largest groups first, at most `limit` groups. */
  tally(limit: number): Promise<JobTally> {
    return tally(this.ctx, limit);
  }

  // ── activity ───────────────────────────────────────────────────────────────────────────────
  /** Hears of every job write with a timeline event made through this service; returns its removal. */
  observe(observer: QueueObserver): () => void {
    return this.ctx.observers.add(observer);
  }
  /** Waits for a job's timeline to grow; open before reading the events (activity.ts). */
  watchActivity(jobId: string): Promise<ActivityWatch> {
    return watchActivity(this.ctx, jobId);
  }

  // ── recurring jobs ─────────────────────────────────────────────────────────────────────────
  scheduleAdd(input: S.ScheduleAddInput): Promise<{ schedule: ScheduleView }> {
    return addSchedule(this.ctx, input);
  }
  scheduleList(): Promise<{ schedules: ScheduleView[] }> {
    return listSchedules(this.ctx);
  }
  scheduleRemove(input: S.ScheduleRemoveInput): Promise<{ removed: string }> {
    return removeSchedule(this.ctx, input);
  }
  /** Enqueues the job of every due schedule, once per tick across processes; returns how many. */
  fireDueSchedules(): Promise<number> {
    return fireDueSchedules(this.ctx);
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
