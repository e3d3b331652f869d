// The public shapes of the queue (SPEC §4, §9). Every surface returns these, camelCase.

import {
  JOB_STATUSES,
  TERMINAL_STATUSES,
  isTerminal,
  type Job,
  type JobStatus,
  type JsonObject,
} from './job.js';

export { JOB_STATUSES, TERMINAL_STATUSES, isTerminal };
export type { Job, JobStatus, JsonObject };

export const EVENT_LEVELS = ['info', 'warn', 'error'] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

export type EventKind =
  | 'enqueued'
  | 'claimed'
  | 'heartbeat'
  | 'progress'
  | 'log'
  | 'cancel_requested'
  | 'cancelled'
  | 'completed'
  | 'failed'
  | 'retry_scheduled'
  | 'lease_expired'
  | 'dead_lettered'
  | 'retried'
  | 'dependencies_met';

export interface JobEvent {
  id: number;
  jobId: string;
  at: string;
  level: EventLevel;
  kind: string;
  /** The job's attempt when the event was written, so a timeline can be read per attempt. */
  attempt: number;
  message: string | null;
  data: unknown;
}

export type PauseMode = 'drain' | 'quiesce';

/**
 * The `system` block carried by every claim and heartbeat answer (SPEC §9): the pause that applies,
 * the fleet's when it is paused, else the named queue's (docs/queues.md).
 */
export interface SystemBlock {
  workersPaused: boolean;
  /** Whose pause the block describes: the fleet's, or one named queue's (then `queue` names it). */
  scope: 'fleet' | 'queue';
  queue?: string;
  mode: PauseMode | null;
  reason: string | null;
  /** Grows with every change of a pause that applies here (the fleet's version plus the queue's). */
  version: number;
  requestedBy: string | null;
  requestedAt: string | null;
  updatedAt: string;
}

export type Action = 'work' | 'wait' | 'continue' | 'cancel' | 'pause' | 'lease_lost';

export interface Lease {
  token: string;
  expiresAt: string;
  seconds: number;
}

/** A batched claim's answer: the jobs taken (none: `wait`), each with its own lease. */
export interface ClaimBatchAnswer {
  jobs: { job: Job; lease: Lease }[];
  system: SystemBlock;
  action: 'work' | 'wait';
  /** Present with `wait`: when to ask again. */
  retryAfterSeconds?: number;
}

/** A batched completion's answer, one entry per item in the order sent: the job, or why not. */
export interface CompleteBatchAnswer {
  results: ({ job: Job } | { error: { code: string; message: string } })[];
}

export interface ClaimAnswer {
  job: Job | null;
  lease: Lease | null;
  system: SystemBlock;
  action: 'work' | 'wait';
  /** Present with `wait`: when to ask again. */
  retryAfterSeconds?: number;
}

export interface HeartbeatAnswer {
  job: Job;
  lease: Lease;
  system: SystemBlock;
  action: 'continue' | 'cancel' | 'pause';
}

/** The running jobs one worker id holds, each with its lease: only ever answered to that worker. */
export interface HeldAnswer {
  workerId: string;
  jobs: { job: Job; lease: Lease }[];
}

export interface ControlEvent {
  id: number;
  /** The named queue paused or resumed; absent for the fleet. */
  queue?: string;
  action: 'pause' | 'resume';
  mode: PauseMode | null;
  reason: string;
  actor: string | null;
  at: string;
}

export interface QueueMetrics {
  queued: number;
  delayed: number;
  /** Queued jobs waiting for dependencies (not counted in queued or delayed). */
  blocked: number;
  running: number;
  staleRunning: number;
  isDrained: boolean;
}

export interface StatusAnswer {
  system: SystemBlock;
  /** With a queue: both pauses, each as a block of its own (queue null: never paused); `system` is the one that applies. */
  pauses?: { fleet: SystemBlock; queue: SystemBlock | null };
  metrics: QueueMetrics;
  audit: ControlEvent[];
}

/** A dependency as `get` with `dependencies` shows it; all null but the id when it was pruned. */
export interface DependencyView {
  id: string;
  type: string | null;
  status: JobStatus | null;
  resultSummary: string | null;
  result: unknown;
}

/** A job as lists show it by default: every field but the payload and result (`get` has those). */
export type JobSummary = Omit<Job, 'payload' | 'result'>;

export interface JobPage<J extends JobSummary = JobSummary> {
  jobs: J[];
  /** Pass as `cursor` to get the next (older) page; null when this is the last page. */
  nextCursor: string | null;
}
