// The job, defined once: the record every layer passes around, and the public shape derived from it.
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead_letter'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'dead_letter'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);
/** Endings that will never become a success: a job depending on one can never run. */
export const UNSUCCESSFUL_ENDINGS: readonly JobStatus[] = ['failed', 'cancelled', 'dead_letter'];

export type JsonObject = { [key: string]: unknown };

/** A job as the store keeps it and the queue reasons about it: the public fields plus the lease token and bookkeeping. */
export interface JobRecord {
  id: string;
  type: string;
  status: JobStatus;
  priority: number;
  payload: JsonObject;
  requiredCapabilities: string[];
  dedupeKey: string | null;
  runAt: Date;
  attempt: number;
  maxAttempts: number;
  claimedBy: string | null;
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  /** The lease length asked for at claim; a heartbeat without leaseSeconds extends by this. */
  leaseSeconds: number | null;
  progress: number | null;
  progressMessage: string | null;
  lastHeartbeatEventAt: Date | null;
  cancelRequestedAt: Date | null;
  cancelRequestedBy: string | null;
  cancelReason: string | null;
  result: unknown;
  resultSummary: string | null;
  errorMessage: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Set when the job was submitted as an MCP task: the task's id, a secret of whoever submitted it. */
  taskId: string | null;
  /** The named queue the job belongs to (default `default`): a claim takes from one queue. */
  queue: string;
  /** At most the key's limit (default 1) of running jobs share this key. */
  concurrencyKey: string | null;
  /** Dependencies that have not succeeded yet: the job is claimable only at 0. */
  pendingDependencies: number;
  /** How many jobs depend on this one (bookkeeping: an ending with none has nothing to propagate). */
  dependents: number;
  /**
   * How many `wait` calls are waiting for this job's end right now (bookkeeping). On PostgreSQL a
   * job's end sends its NOTIFY only when this is above 0: a NOTIFY serialises the commits of every
   * notifying transaction in the database, and most jobs are awaited by nobody.
   */
  awaiters: number;
}

/**
 * Fields that never leave through a public Job: the lease token is the holder's secret (only the
 * claim answer carries it, as `lease`), the task id the submitter's (it reads the result and
 * cancels), the rest is bookkeeping.
 */
export const PRIVATE_JOB_FIELDS = [
  'leaseToken',
  'leaseSeconds',
  'lastHeartbeatEventAt',
  'taskId',
  'dependents',
  'awaiters',
] as const;

/** Times as ISO-8601 strings, as every surface shows them. */
type Wire<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/** A job as every surface shows it: the record without its private fields, times as strings. */
export type Job = Wire<Omit<JobRecord, (typeof PRIVATE_JOB_FIELDS)[number]>>;
