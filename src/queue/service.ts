// QueueService: every rule of SPEC §5–§9, once. Surfaces (MCP, REST, CLI, worker) call this and
// only format the answers; the store only runs the SQL the service asks for.
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord, PauseRecord, Store } from '../store/store.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './settings.js';
import { systemClock, type Clock } from './clock.js';
import { PauseControl } from './control.js';
import { QueueError, isQueueError, leaseLostError, notFound } from './errors.js';
import { newLeaseToken } from './ids.js';
import * as S from './schemas.js';
import { decideAttemptEnd, heartbeatEvent, newJobRecord, type Decision } from './transitions.js';
import type { ClaimAnswer, HeartbeatAnswer, Job, JobEvent, JobPage } from './types.js';
import { assertJsonWithinLimit, parseInput } from './validate.js';
import { decodeCursor, toJob, toLease, toSystem } from './view.js';
import { toPage } from './page.js';
import { narrowTypes } from './scope.js';
import { longPoll } from './long-poll.js';
import { claimMatch, jobMatch, readySignal, wakeupFor, Wakeups } from './wakeups.js';

export interface ServiceOptions {
  store: Store;
  clock?: Clock;
  settings?: Partial<QueueSettings>;
  /** Source of jitter; tests pass a fixed one. */
  random?: () => number;
}

export interface ClaimOptions {
  /** Aborts a long-poll (the caller went away). */
  signal?: AbortSignal;
  /** Called about every few seconds while a long-poll waits. */
  onWaiting?: (waitedSeconds: number, totalSeconds: number) => void;
  /** The claimer's scope of job types: `types` may narrow it; asking outside it is `forbidden`. */
  allowedTypes?: string[];
}

const MAX_CAS_ATTEMPTS = 5;
// The expiry sweep runs at most this often when triggered by claims.
const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 100;
const PRUNE_BATCH = 100;
// Longer than SQLite's first busy-handler retries (1, 2, 5 ms…), so a waiting process gets the lock.
const PRUNE_PAUSE_MS = 10;

export class QueueService {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: QueueSettings;
  readonly control: PauseControl;
  private readonly random: () => number;
  private readonly wakeups: Wakeups;
  private lastSweepMs = 0;

  constructor(opts: ServiceOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? systemClock;
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.random = opts.random ?? Math.random;
    this.control = new PauseControl(this.store, this.clock);
    this.wakeups = new Wakeups(this.store);
  }

  async close(): Promise<void> {
    await this.wakeups.close();
  }

  // ── enqueue ────────────────────────────────────────────────────────────────────────────────
  async enqueue(raw: S.EnqueueInput): Promise<{ job: Job; deduplicated: boolean }> {
    const input = parseInput(S.enqueueInput, raw, 'enqueue');
    assertJsonWithinLimit('payload', input.payload, this.settings.payloadLimitBytes);
    if (input.runAt !== undefined && input.delaySeconds !== undefined) {
      throw new QueueError(
        'invalid_argument',
        'Invalid enqueue arguments: give runAt or delaySeconds, not both.',
      );
    }
    const now = this.clock.now();
    const runAt =
      input.runAt !== undefined
        ? new Date(input.runAt)
        : new Date(now.getTime() + (input.delaySeconds ?? 0) * 1000);
    const record = newJobRecord(input, {
      now,
      runAt,
      maxAttempts: input.maxAttempts ?? this.settings.defaultMaxAttempts,
    });
    const { job, inserted } = await this.store.jobInsert({
      job: record,
      notify: readySignal(record),
      event: {
        level: 'info',
        kind: 'enqueued',
        message: null,
        data: { priority: record.priority, runAt: runAt.toISOString() },
      },
    });
    return { job: toJob(job), deduplicated: !inserted };
  }

  // ── claim ──────────────────────────────────────────────────────────────────────────────────
  async claim(raw: S.ClaimInput, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
    const parsed = parseInput(S.claimInput, raw, 'claim');
    const types = narrowTypes(parsed.types, opts.allowedTypes);
    const input = types ? { ...parsed, types } : parsed;
    // The caller is already gone: taking a job now would leave it held by nobody until its lease expires.
    if (opts.signal?.aborted) return this.waitAnswer(await this.control.state());
    if (input.waitSeconds <= 0) return this.claimOnce(input);
    return longPoll({
      waitSeconds: input.waitSeconds,
      // Opened before the first attempt, so an enqueue in between is not missed.
      open: () => this.wakeups.open(claimMatch(input.types, input.capabilities)),
      attempt: () => this.claimOnce(input),
      // A job, or a paused fleet (answer at once), ends the wait.
      done: (answer) => answer.job !== null || answer.system.workersPaused,
      msUntilDue: async () => {
        const next = await this.store.jobNextRunAt({ types: input.types, capabilities: input.capabilities });
        return next ? next.getTime() - this.clock.now().getTime() : Infinity;
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
    });
  }

  private async claimOnce(input: ReturnType<typeof S.claimInput.parse>): Promise<ClaimAnswer> {
    // The sweep checks the pause state itself and does nothing while paused.
    await this.sweepIfDue();
    const now = this.clock.now();
    const leaseSeconds = input.leaseSeconds ?? this.settings.defaultLeaseSeconds;
    // While workers are paused no job may be claimed: the store judges it in the claim statement
    // itself, so a pause that lands a moment earlier is always honoured and nothing is touched.
    const { job, pause } = await this.store.jobClaim({
      now,
      workerId: input.workerId,
      types: input.types,
      capabilities: input.capabilities,
      leaseToken: newLeaseToken(),
      leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
      leaseSeconds,
      unlessPaused: true,
      event: {
        level: 'info',
        kind: 'claimed',
        message: `claimed by ${input.workerId}`,
        data: { workerId: input.workerId },
      },
    });
    if (job) return { job: toJob(job), lease: toLease(job, now), system: toSystem(pause), action: 'work' };
    return this.waitAnswer(pause);
  }

  private waitAnswer(pause: PauseRecord): ClaimAnswer {
    const retryAfterSeconds = pause.paused
      ? this.settings.pausedRetryAfterSeconds
      : this.settings.emptyRetryAfterSeconds;
    return { job: null, lease: null, system: toSystem(pause), action: 'wait', retryAfterSeconds };
  }

  /**
   * Resolves when something a worker holding this job must react to may have changed (a cancel
   * request, a pause or resume), or after timeoutMs. true = woken by a change, or the job already
   * has a cancel request or no longer runs (nothing more will come by push). A worker then
   * heartbeats to learn its action; this only makes it learn sooner than its next heartbeat.
   */
  async watchJob(jobId: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    const waiter = await this.wakeups.open(jobMatch(jobId));
    try {
      // A cancel request that landed while the subscription was being set up (on PostgreSQL a new
      // LISTEN connection) sent its wake-up before anyone listened: look at the job once, now that
      // every later change will wake us.
      const job = await this.store.jobGet({ id: jobId });
      if (job && (job.cancelRequestedAt !== null || job.status !== 'running')) return true;
      return await waiter.wait(opts.timeoutMs, opts.signal);
    } finally {
      waiter.close();
    }
  }

  // ── heartbeat ──────────────────────────────────────────────────────────────────────────────
  async heartbeat(raw: S.HeartbeatInput): Promise<HeartbeatAnswer> {
    return this.withSystemOnLeaseLoss(() => this.heartbeatHeld(raw));
  }

  private async heartbeatHeld(raw: S.HeartbeatInput): Promise<HeartbeatAnswer> {
    const input = parseInput(S.heartbeatInput, raw, 'heartbeat');
    const [job, pause] = await Promise.all([this.store.jobGet({ id: input.jobId }), this.control.state()]);
    const held = this.requireLease(job, input.jobId, input.leaseToken);
    const now = this.clock.now();
    const leaseSeconds = input.leaseSeconds ?? held.leaseSeconds ?? this.settings.defaultLeaseSeconds;
    const event = heartbeatEvent(held, input, now, this.settings.heartbeatEventIntervalSeconds);
    const updated = await this.store.jobUpdate({
      id: held.id,
      expect: { status: 'running', leaseToken: input.leaseToken },
      set: {
        leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
        ...(input.leaseSeconds !== undefined ? { leaseSeconds } : {}),
        ...(input.progress !== undefined ? { progress: input.progress } : {}),
        ...(input.message !== undefined ? { progressMessage: input.message } : {}),
        ...(event ? { lastHeartbeatEventAt: now } : {}),
      },
      now,
      ...(event ? { event } : {}),
    });
    if (!updated) throw await this.leaseLost(input.jobId);
    let action: HeartbeatAnswer['action'] = 'continue';
    if (updated.cancelRequestedAt) action = 'cancel';
    else if (pause.paused && pause.mode === 'quiesce') action = 'pause';
    return { job: toJob(updated), lease: toLease(updated, now), system: toSystem(pause), action };
  }

  // ── complete / fail / ackCancel ────────────────────────────────────────────────────────────
  async complete(raw: S.CompleteInput): Promise<{ job: Job }> {
    return this.withSystemOnLeaseLoss(() => this.completeHeld(raw));
  }

  private async completeHeld(raw: S.CompleteInput): Promise<{ job: Job }> {
    const input = parseInput(S.completeInput, raw, 'complete');
    // The same limit as the payload: a result is stored, and every `get` answers it again.
    assertJsonWithinLimit('result', input.result, this.settings.payloadLimitBytes);
    const now = this.clock.now();
    // Completing a job whose cancellation was requested still succeeds: the work is done.
    const job = await this.store.jobUpdate({
      id: input.jobId,
      expect: { status: 'running', leaseToken: input.leaseToken },
      set: {
        status: 'succeeded',
        result: input.result ?? null,
        resultSummary: input.resultSummary ?? null,
        leaseToken: null,
        leaseExpiresAt: null,
        finishedAt: now,
      },
      now,
      // No wake-up: nobody waits on a finished job, and NOTIFY serialises commits on PostgreSQL.
      event: { level: 'info', kind: 'completed', message: input.resultSummary ?? null },
    });
    if (!job) throw await this.leaseLost(input.jobId);
    return { job: toJob(job) };
  }

  async fail(raw: S.FailInput): Promise<{ job: Job }> {
    return this.withSystemOnLeaseLoss(() => this.failHeld(raw));
  }

  private async failHeld(raw: S.FailInput): Promise<{ job: Job }> {
    const input = parseInput(S.failInput, raw, 'fail');
    const job = await this.decideAndWrite(input.jobId, (cur, now) => {
      const held = this.requireLease(cur, input.jobId, input.leaseToken);
      return decideAttemptEnd(
        held,
        { kind: 'fail', error: input.error, retryable: input.retryable },
        now,
        this.settings.backoff,
        this.random,
      );
    });
    return { job: toJob(job) };
  }

  async ackCancel(raw: S.AckCancelInput): Promise<{ job: Job }> {
    return this.withSystemOnLeaseLoss(() => this.ackCancelHeld(raw));
  }

  private async ackCancelHeld(raw: S.AckCancelInput): Promise<{ job: Job }> {
    const input = parseInput(S.ackCancelInput, raw, 'ackCancel');
    const job = await this.decideAndWrite(input.jobId, (cur, now) => {
      const held = this.requireLease(cur, input.jobId, input.leaseToken);
      if (!held.cancelRequestedAt) {
        throw new QueueError(
          'job_state_conflict',
          'No cancellation was requested for this job, so there is nothing to acknowledge. Finish it with complete or fail.',
        );
      }
      return {
        expect: { status: 'running', leaseToken: input.leaseToken, cancelRequested: true },
        set: { status: 'cancelled', leaseToken: null, leaseExpiresAt: null, finishedAt: now },
        event: {
          level: 'warn',
          kind: 'cancelled',
          message: input.message ?? 'cancellation acknowledged by the worker',
        },
      };
    });
    return { job: toJob(job) };
  }

  // ── cancel / retry (producer, operator) ────────────────────────────────────────────────────
  async cancel(raw: S.CancelInput): Promise<{ job: Job }> {
    const input = parseInput(S.cancelInput, raw, 'cancel');
    const by = input.requestedBy ?? null;
    const reason = input.reason ?? null;
    const job = await this.decideAndWrite(input.jobId, (cur, now): Decision | null => {
      if (!cur) throw notFound(input.jobId);
      const request = { cancelRequestedAt: now, cancelRequestedBy: by, cancelReason: reason };
      if (cur.status === 'queued') {
        return {
          expect: { status: 'queued' },
          set: { status: 'cancelled', ...request, finishedAt: now },
          event: {
            level: 'warn',
            kind: 'cancelled',
            message: reason ?? 'cancelled before it ran',
            data: { by },
          },
        };
      }
      if (cur.status === 'running' && !cur.cancelRequestedAt) {
        return {
          expect: { status: 'running', cancelRequested: false },
          set: request,
          event: { level: 'warn', kind: 'cancel_requested', message: reason, data: { by } },
        };
      }
      // Repeated cancel of a running or cancelled job: a no-op that returns the job.
      if (cur.status === 'running' || cur.status === 'cancelled') return null;
      throw new QueueError(
        'job_state_conflict',
        `The job already ended as ${cur.status}; only queued or running jobs can be cancelled.`,
        {
          details: { status: cur.status },
        },
      );
    });
    return { job: toJob(job) };
  }

  async retry(raw: S.RetryInput): Promise<{ job: Job }> {
    const input = parseInput(S.retryInput, raw, 'retry');
    const job = await this.decideAndWrite(input.jobId, (cur, now) => {
      if (!cur) throw notFound(input.jobId);
      if (cur.status !== 'failed' && cur.status !== 'dead_letter') {
        throw new QueueError(
          'job_state_conflict',
          `Only failed or dead_letter jobs can be retried; this one is ${cur.status}.`,
          {
            details: { status: cur.status },
          },
        );
      }
      return {
        expect: { status: cur.status },
        set: {
          status: 'queued',
          attempt: 0,
          runAt: now,
          claimedBy: null,
          finishedAt: null,
          errorMessage: null,
          result: null,
          resultSummary: null,
          progress: null,
          progressMessage: null,
        },
        event: {
          level: 'info',
          kind: 'retried',
          message: `retried by ${input.requestedBy ?? 'an operator'}`,
          data: { previousStatus: cur.status },
        },
      };
    });
    return { job: toJob(job) };
  }

  // ── reads ──────────────────────────────────────────────────────────────────────────────────
  async get(raw: S.GetInput): Promise<{ job: Job; events?: JobEvent[] }> {
    const input = parseInput(S.getInput, raw, 'get');
    const job = await this.store.jobGet({ id: input.jobId });
    if (!job) throw notFound(input.jobId);
    if (input.events === 0) return { job: toJob(job) };
    const events = await this.store.eventsList({ jobId: job.id, limit: input.events, latest: true });
    return { job: toJob(job), events };
  }

  /** Summaries (no payload, result) unless `full`; a page also ends at a byte budget (page.ts). */
  async list(raw: S.ListInput & { full: true }): Promise<JobPage<Job>>;
  async list(raw?: S.ListInput): Promise<JobPage>;
  async list(raw: S.ListInput = {}): Promise<JobPage> {
    const input = parseInput(S.listInput, raw, 'list');
    const before = input.cursor ? decodeCursor(input.cursor) : undefined;
    const rows = await this.store.jobList({
      limit: input.limit + 1,
      ...(input.status ? { status: input.status } : {}),
      ...(input.type ? { type: input.type } : {}),
      ...(before ? { before } : {}),
    });
    return toPage(rows, input.limit, input.full);
  }

  async events(raw: S.EventsInput): Promise<{ events: JobEvent[] }> {
    const input = parseInput(S.eventsInput, raw, 'events');
    const job = await this.store.jobGet({ id: input.jobId });
    if (!job) throw notFound(input.jobId);
    const events = await this.store.eventsList({
      jobId: input.jobId,
      limit: input.limit,
      ...(input.after !== undefined ? { after: input.after } : {}),
    });
    return { events };
  }

  // ── expiry sweep ───────────────────────────────────────────────────────────────────────────
  /** Requeues or dead-letters running jobs whose lease expired. Idempotent across processes; skipped while paused. */
  async sweepExpired(): Promise<number> {
    const pause = await this.control.state();
    if (pause.paused) return 0;
    this.lastSweepMs = performance.now();
    const now = this.clock.now();
    const expired = await this.store.jobsExpiredList({ now, limit: SWEEP_BATCH });
    let handled = 0;
    for (const job of expired) {
      const d = decideAttemptEnd(job, { kind: 'expired' }, now, this.settings.backoff, this.random);
      // Another process may have swept it, or the holder heartbeated just now: then this is a no-op.
      const written = await this.store.jobUpdate({
        id: job.id,
        expect: d.expect,
        set: d.set,
        now,
        event: d.event,
        notify: wakeupFor(job, d),
      });
      if (written) handled++;
    }
    return handled;
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
    const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await this.store.jobsPrune({ finishedBefore: cutoff, limit: PRUNE_BATCH });
      total += n;
      // Stopped (the process is shutting down): the rest waits for the next run.
      if (n < PRUNE_BATCH || opts.signal?.aborted) return total;
      await sleep(PRUNE_PAUSE_MS);
    }
  }

  private async sweepIfDue(): Promise<void> {
    if (performance.now() - this.lastSweepMs >= SWEEP_INTERVAL_MS) await this.sweepExpired();
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────────
  /** A lease holder told `lease_lost` also gets the `system` block, as a heartbeat answer would carry. */
  private async withSystemOnLeaseLoss<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isQueueError(err) || err.code !== 'lease_lost') throw err;
      const system = await this.control.state().then(toSystem, () => undefined);
      throw new QueueError('lease_lost', err.message, { details: { ...err.details, system }, cause: err });
    }
  }

  /** Read, decide, compare-and-set; on a lost race re-read and decide again. null decision = no-op. */
  private async decideAndWrite(
    id: string,
    decide: (cur: JobRecord | null, now: Date) => Decision | null,
  ): Promise<JobRecord> {
    for (let i = 0; i < MAX_CAS_ATTEMPTS; i++) {
      const cur = await this.store.jobGet({ id });
      const now = this.clock.now();
      const d = decide(cur, now);
      if (!d) return cur!;
      const written = await this.store.jobUpdate({
        id,
        expect: d.expect,
        set: d.set,
        now,
        event: d.event,
        notify: wakeupFor(cur!, d),
      });
      if (written) return written;
    }
    throw new QueueError('unavailable', 'The job kept changing under concurrent updates. Retry the call.');
  }

  private requireLease(job: JobRecord | null, id: string, token: string): JobRecord {
    if (!job) throw notFound(id);
    if (job.status !== 'running' || job.leaseToken !== token) throw leaseLostError(job);
    return job;
  }

  private async leaseLost(id: string): Promise<QueueError> {
    const job = await this.store.jobGet({ id });
    return job ? leaseLostError(job) : notFound(id);
  }
}
