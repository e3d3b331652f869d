// The storage boundary: the only interface the queue service sees. Methods are noun-first and take
// one params object. Every method is one atomic unit (one statement or one transaction).
import type { ControlEvent, EventLevel, JobEvent, JobStatus, PauseMode } from '../core/types.js';
import type { JobRecord, JsonObject } from '../core/job.js';

export type { JobRecord };

/** Fields a transition may set. `attempt: 'increment'` is not offered: only the claim increments. */
export type JobPatch = Partial<Omit<JobRecord, 'id' | 'type' | 'createdAt' | 'createdBy' | 'dedupeKey'>>;

/** An event to append in the same transaction as the change it describes. */
export interface NewEvent {
  level: EventLevel;
  kind: string;
  message?: string | null;
  data?: unknown;
}

/**
 * What the service assumed when it decided a transition. The update applies only if the row still
 * matches, so a decision made on a stale read can never be written (compare-and-set).
 */
export interface JobExpectation {
  status: JobStatus | readonly JobStatus[];
  leaseToken?: string;
  /** true: a cancel request must be present; false: must be absent; undefined: either. */
  cancelRequested?: boolean;
  /** The lease must have expired before this time (the expiry sweep must not beat a heartbeat). */
  leaseExpiredBefore?: Date;
  /** Workers must not be paused (judged in the same statement, so a pause landing mid-sweep wins). */
  unlessPaused?: boolean;
}

/**
 * What an ending does to the jobs that depend on the job that ended. Decided in the queue
 * (src/queue/dependencies.ts); the store runs it in the same transaction as the ending.
 */
export type Propagation =
  /** succeeded: each direct dependent still queued waits for one fewer; those left waiting for none get `event`. */
  | { kind: 'unblock'; event: NewEvent }
  /** failed, dead_letter, cancelled: every transitive dependent not yet ended gets `set` and `event`. */
  | { kind: 'cancel'; set: JobPatch; event: NewEvent };

/** A job to insert with the ids of the jobs it waits for (each one existing, or earlier in the same call). */
export interface DependentInsert {
  job: JobRecord;
  event: NewEvent;
  dependsOn: readonly string[];
}

export type DependentsInsertResult =
  | { ok: true; jobs: { job: JobRecord; inserted: boolean }[] }
  /** Nothing was written: these ids name no job. */
  | { ok: false; missing: string[] }
  /** Nothing was written: these dependencies already ended without success (UNSUCCESSFUL_ENDINGS). */
  | { ok: false; ended: { id: string; status: JobStatus }[] };

export interface PauseRecord {
  paused: boolean;
  mode: PauseMode | null;
  reason: string | null;
  requestedBy: string | null;
  requestedAt: Date | null;
  updatedAt: Date;
  version: number;
}

/** A named queue's own pause: the same record, naming its queue. */
export interface QueuePauseRecord extends PauseRecord {
  queue: string;
}

export interface JobCounts {
  /** Queued, due and waiting for no dependency: claimable now (by a claimer that matches). */
  queued: number;
  /** Queued, waiting for no dependency, not due yet. */
  delayed: number;
  /** Queued, waiting for dependencies that have not succeeded yet. */
  blocked: number;
  running: number;
  staleRunning: number;
}

/** A bearer token as stored: only the sha256 of the secret, never the secret itself. */
export interface TokenRecord {
  id: string;
  name: string;
  role: 'producer' | 'worker' | 'operator';
  tokenHash: string;
  /** Job types a worker token may claim; null = any. */
  allowedTypes: string[] | null;
  /** Capabilities a worker token may claim with; null = whatever the claimer has. */
  allowedCapabilities: string[] | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A recurring job: a cron expression (in a time zone) and the job each tick enqueues. */
export interface ScheduleRecord {
  name: string;
  cron: string;
  timezone: string;
  type: string;
  payload: JsonObject;
  priority: number;
  requiredCapabilities: string[];
  maxAttempts: number | null;
  queue: string;
  concurrencyKey: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The newest tick that fired; at creation, the creation time. */
  lastTick: Date;
  nextTick: Date;
}

/** A concurrency key's own limit of running jobs (a key without one has the default). */
export interface KeyLimitRecord {
  key: string;
  maxRunning: number;
  updatedBy: string | null;
  updatedAt: Date;
}

/** A concurrency key in use or with a limit: its limit row, if any, and its unfinished jobs. */
export interface KeyUsage {
  key: string;
  /** null: the key has the default limit. */
  limit: KeyLimitRecord | null;
  running: number;
  queued: number;
}

export interface MigrationReport {
  /** Versions this call applied (empty when the schema was already current). */
  applied: { version: number; name: string }[];
  current: number;
}

/** A wake-up message between processes. Never needed for correctness, only for speed. */
export type Signal =
  /** `queue` absent (a sender from before named queues): any claimer may look. */
  | { kind: 'job_ready'; type: string; queue?: string; requiredCapabilities?: string[] }
  | { kind: 'job_changed'; jobId: string }
  /** The job reached a terminal status: wakes whoever awaits its result. */
  | { kind: 'job_finished'; jobId: string }
  /** `queue` absent: the fleet's pause changed; present: that queue's. */
  | { kind: 'pause_changed'; version: number; queue?: string }
  /** A concurrency key may have room again (a running job with it ended, its limit rose): its queued jobs, of any type, may be claimable. */
  | { kind: 'key_room'; key: string }
  /** Something changed but the dialect cannot say what (SQLite across processes): re-check. */
  | { kind: 'changed' };

export interface Store {
  readonly dialect: 'postgres' | 'sqlite';
  /**
   * Opens the database (and migrates it when the store was opened with `migrate`). Every other
   * method does this on first use; call it to fail early with the coded reason (CLI commands).
   */
  connect(): Promise<void>;
  migrate(): Promise<MigrationReport>;
  close(): Promise<void>;
  /** The database's clock, so that processes on many machines agree on lease times. */
  dbNow(): Promise<Date>;

  /** Inserts the job unless an unfinished job has the same (type, dedupeKey); then returns that one. */
  jobInsert(p: {
    job: JobRecord;
    event: NewEvent;
    notify?: Signal;
  }): Promise<{ job: JobRecord; inserted: boolean }>;
  /**
   * Atomically takes the best matching queued job (priority DESC, createdAt, id), or none. With
   * `unlessPaused` it takes none while workers or the queue are paused, judged in the same statement.
   * Returns the fleet's pause state and the queue's (null: never paused) that statement saw.
   */
  jobClaim(p: {
    now: Date;
    /** The named queue to take from. */
    queue: string;
    workerId: string;
    /** Only these types; undefined takes any type. An empty list matches none (the claim schema turns the API's `[]` into undefined). */
    types: readonly string[] | undefined;
    capabilities: readonly string[];
    leaseToken: string;
    leaseExpiresAt: Date;
    leaseSeconds: number;
    unlessPaused: boolean;
    event: NewEvent;
  }): Promise<{ job: JobRecord | null; pause: PauseRecord; queuePause: QueuePauseRecord | null }>;
  /**
   * A batched claim: takes up to `claims.length` of the best matching queued jobs at once, in pick
   * order, each with its own lease token and claim event (the events differ only in `data`). A
   * concurrency key's running jobs stay within its limit (PostgreSQL takes at most one job per key
   * per batch). The pause rows as jobClaim answers them.
   */
  jobClaimMany(
    p: Omit<Parameters<Store['jobClaim']>[0], 'leaseToken' | 'event'> & {
      claims: { leaseToken: string; event: NewEvent }[];
    },
  ): Promise<{ jobs: JobRecord[]; pause: PauseRecord; queuePause: QueuePauseRecord | null }>;
  /**
   * Lease holders' endings in one transaction: each item is written only if its job still runs
   * under `leaseToken` and no job depends on it; every item sets the same fields. Answers the jobs
   * written, and wakes their awaiters as jobUpdate would; an item that did not apply is absent (the
   * caller ends it the single way, which explains a refusal or propagates to dependents).
   */
  jobEndMany(p: {
    now: Date;
    items: { id: string; leaseToken: string; set: JobPatch; event: NewEvent }[];
  }): Promise<JobRecord[]>;
  /** Compare-and-set: applies `set` (and appends `event`) only if the row matches `expect`. */
  jobUpdate(p: {
    id: string;
    expect: JobExpectation;
    set: JobPatch;
    now: Date;
    event?: NewEvent;
    /** Sent on commit if the update applied. */
    notify?: Signal;
  }): Promise<JobRecord | null>;
  /**
   * jobUpdate for an ending (a terminal `set.status`), with what it does to the jobs that depend on
   * this one, in the same transaction. Returns the job and the dependents it changed (their
   * wake-ups are the caller's), or null as jobUpdate does.
   */
  jobEnd(p: {
    id: string;
    expect: JobExpectation;
    set: JobPatch;
    now: Date;
    event?: NewEvent;
    notify?: Signal;
    propagate: Propagation;
  }): Promise<{ job: JobRecord; unblocked: JobRecord[]; cancelled: JobRecord[] } | null>;
  /**
   * jobUpdate for a job put back in the queue (retry) that has dependencies: in the same
   * transaction, sets pending_dependencies to how many of them have not succeeded; applies only if
   * none ended without success (else null, as a lost compare-and-set). A pruned one counts as met.
   */
  jobRequeueWithDependencies(p: {
    id: string;
    expect: JobExpectation;
    set: JobPatch;
    now: Date;
    event?: NewEvent;
  }): Promise<JobRecord | null>;
  /**
   * Inserts jobs with dependencies, in order, in one transaction: all or nothing. Each job's
   * dependencies count it as a dependent and it waits for those not yet succeeded. A job whose
   * (type, dedupeKey) an unfinished job holds is not inserted: that job is answered (its own
   * dependencies unchanged) and stands in for it in the dependsOn of the jobs after it.
   */
  jobsInsertWithDependencies(p: { jobs: readonly DependentInsert[] }): Promise<DependentsInsertResult>;
  /** The jobs this one depends on, oldest first; `job` is null for one that was pruned. */
  jobDependencies(p: { id: string }): Promise<{ id: string; job: JobRecord | null }[]>;
  jobGet(p: { id: string }): Promise<JobRecord | null>;
  /**
   * Counts a `wait` on the job in (+1) or out (-1) and answers the row as it is once the write
   * holds it: an end written after this one sees the count and wakes the waiter (see
   * JobRecord.awaiters); an end written before it is in the answer. Null for no such job.
   */
  jobAwait(p: { id: string; delta: 1 | -1 }): Promise<JobRecord | null>;
  /** The job submitted as the MCP task with this id (see JobRecord.taskId). */
  jobGetByTaskId(p: { taskId: string }): Promise<JobRecord | null>;
  /** Newest first (by id: UUIDv7 sorts by creation); `before` is the id of the last row of the previous page. */
  jobList(p: {
    /** Only jobs of this named queue; undefined: every queue. */
    queue?: string;
    status?: JobStatus;
    type?: string;
    /** Only jobs whose current (or last) claim was by this worker id. */
    claimedBy?: string;
    limit: number;
    before?: { id: string };
  }): Promise<JobRecord[]>;
  /** Running jobs whose lease expired, leaving out those of a paused queue (expiry waits for the resume). */
  jobsExpiredList(p: { now: Date; limit: number }): Promise<JobRecord[]>;
  /** Counts of one named queue, or of every queue when `queue` is undefined. */
  jobCounts(p: { now: Date; queue?: string }): Promise<JobCounts>;
  /** How many jobs have each (status, type), largest groups first, at most `limit` groups (metrics). */
  jobTally(p: { limit: number }): Promise<{ status: JobStatus; type: string; count: number }[]>;
  /** Earliest runAt among queued jobs the worker could claim, to sleep exactly until it is due. */
  jobNextRunAt(p: {
    queue: string;
    /** As in jobClaim: undefined is any type, an empty list none. */
    types: readonly string[] | undefined;
    capabilities: readonly string[];
  }): Promise<Date | null>;
  /** Deletes finished jobs (and their events) older than the cutoff; returns how many. */
  jobsPrune(p: { finishedBefore: Date; limit: number }): Promise<number>;

  /**
   * Ascending by id after `after`, or (with `latest`) the latest `limit` events, still ascending.
   * `kinds` keeps only events of those kinds.
   */
  eventsList(p: {
    jobId: string;
    after?: number;
    limit: number;
    latest?: boolean;
    kinds?: readonly string[];
  }): Promise<JobEvent[]>;

  pauseStateGet(): Promise<PauseRecord>;
  /** Compare-and-set on `version`; appends the audit row in the same transaction. */
  pauseStateSet(p: {
    expectVersion: number;
    next: Omit<PauseRecord, 'version'>;
    audit: Omit<ControlEvent, 'id'>;
  }): Promise<PauseRecord | null>;
  /** A named queue's own pause (next to the fleet's); null when the queue was never paused. */
  queuePauseGet(p: { queue: string } | { jobId: string }): Promise<QueuePauseRecord | null>;
  /**
   * Compare-and-set of a queue's pause on `version` (0: no row yet, which this inserts); appends the
   * audit row with the queue in the same transaction. null when another change landed first.
   */
  queuePauseSet(p: {
    queue: string;
    expectVersion: number;
    next: Omit<PauseRecord, 'version'>;
    audit: Omit<ControlEvent, 'id' | 'queue'>;
  }): Promise<QueuePauseRecord | null>;
  /** Newest first. With `queue`: the fleet's rows and that queue's; without: every row. */
  controlEventsList(p: { limit: number; queue?: string }): Promise<ControlEvent[]>;

  /** Inserts a token; false when the name is taken (names stay taken after a revoke, for the record). */
  tokenInsert(p: { token: TokenRecord }): Promise<boolean>;
  /** The token with this hash, revoked or not (the caller decides), or null. */
  tokenByHash(p: { tokenHash: string }): Promise<TokenRecord | null>;
  /** Every token, oldest first. */
  tokenList(): Promise<TokenRecord[]>;
  /** Whether any token is not revoked (then HTTP requires one). */
  tokenAnyActive(): Promise<boolean>;
  /** Sets revoked_at unless already revoked; returns the token as it is now, or null if no such name. */
  tokenRevoke(p: { name: string; now: Date }): Promise<TokenRecord | null>;
  /** Records a use (callers throttle this; it is bookkeeping, not a rule). */
  tokenTouch(p: { id: string; now: Date }): Promise<void>;

  /** Inserts a schedule; false when the name is taken (unless `replace`, which overwrites it). */
  scheduleInsert(p: { schedule: ScheduleRecord; replace: boolean }): Promise<boolean>;
  /** Every schedule, by name. */
  scheduleList(): Promise<ScheduleRecord[]>;
  /** Deletes the schedule; false when there was none of that name. */
  scheduleRemove(p: { name: string }): Promise<boolean>;
  /** Schedules whose next tick is due by `now`, earliest first. */
  schedulesDue(p: { now: Date; limit: number }): Promise<ScheduleRecord[]>;
  /**
   * One transaction: moves the schedule from the tick the caller read (`expectNextTick`) to
   * `tick`/`nextTick`, and only if that applied inserts `job` (ON CONFLICT DO NOTHING for the
   * dedupe index) with its event. Null when another process fired it first (or it changed).
   */
  scheduleFire(p: {
    name: string;
    expectNextTick: Date;
    tick: Date;
    nextTick: Date;
    job: JobRecord;
    event: NewEvent;
  }): Promise<{ job: JobRecord | null } | null>;
  /** Sets a key's limit (insert or update); returns it and the limit it had before (null: the default). */
  keyLimitSet(p: {
    key: string;
    maxRunning: number;
    updatedBy: string | null;
    now: Date;
  }): Promise<{ limit: KeyLimitRecord; previous: number | null }>;
  /** Deletes a key's limit (back to the default); returns the row removed, or null if it had none. */
  keyLimitRemove(p: { key: string }): Promise<KeyLimitRecord | null>;
  /** Every key with a limit row or with queued or running jobs, by key. */
  keyLimitList(): Promise<KeyUsage[]>;

  /** Sends a wake-up to every process sharing this database (best effort). */
  notify(signal: Signal): Promise<void>;
  /** Receives wake-ups (from this and other processes). Returns the unsubscribe function. */
  subscribe(handler: (signal: Signal) => void): Promise<() => void>;
}
