// The lifecycle rules of SPEC §5 and §7 as pure decisions: given a job and what happened, what the
// job becomes. The service writes a decision with a compare-and-set on exactly what it assumed.
import type { JobExpectation, JobPatch, JobRecord, NewEvent } from '../store/store.js';
import { backoffSeconds, type BackoffSettings } from './backoff.js';
import { uuidv7 } from '../core/ids.js';
import type { ackCancelInput, completeInput, enqueueInput, heartbeatInput, logInput } from './schemas.js';
import { QueueError } from '../core/errors.js';
import type { z } from 'zod';

/**
 * How an attempt ended, kept in the data of the event that ends it: a holder repeating its own
 * finishing call is answered from it, and a stale token learns what really happened to its attempt.
 */
export type AttemptEnd =
  | { endedBy: 'complete' | 'ackCancel' | 'expiry' }
  | { endedBy: 'fail'; retryable: boolean }
  | { endedBy: 'release'; reason: string };

/** What a transition writes: the row it assumes, the fields it sets, the timeline entry (if any). */
export interface Decision {
  expect: JobExpectation;
  set: JobPatch;
  event?: NewEvent;
  /**
   * Back to queued waiting for the dependencies not yet succeeded, recounted in the same
   * transaction; not applied if one of them ended without success meanwhile (a retry).
   */
  recountDependencies?: boolean;
}

/** Where every job starts: queued, attempt 0, no lease. */
export function newJobRecord(
  input: z.output<typeof enqueueInput>,
  at: { now: Date; runAt: Date; maxAttempts: number; taskId?: string },
): JobRecord {
  return {
    id: uuidv7(at.now.getTime()),
    type: input.type,
    status: 'queued',
    priority: input.priority,
    payload: input.payload,
    requiredCapabilities: [...new Set(input.requiredCapabilities)],
    dedupeKey: input.dedupeKey ?? null,
    runAt: at.runAt,
    attempt: 0,
    maxAttempts: at.maxAttempts,
    claimedBy: null,
    leaseToken: null,
    leaseExpiresAt: null,
    leaseSeconds: null,
    progress: null,
    progressMessage: null,
    lastHeartbeatEventAt: null,
    cancelRequestedAt: null,
    cancelRequestedBy: null,
    cancelReason: null,
    result: null,
    resultSummary: null,
    errorMessage: null,
    createdBy: input.createdBy ?? null,
    createdAt: at.now,
    updatedAt: at.now,
    startedAt: null,
    finishedAt: null,
    taskId: at.taskId ?? null,
    queue: input.queue,
    concurrencyKey: input.concurrencyKey ?? null,
    pendingDependencies: 0,
    dependents: 0,
    awaiters: 0,
  };
}

const released = { leaseToken: null, leaseExpiresAt: null } as const;

const finish = (now: Date) => ({ ...released, finishedAt: now });

/** A job that ends its attempt without success: worker fail (retryable or not) or lease expiry. */
export function decideAttemptEnd(
  job: JobRecord,
  how: { kind: 'fail'; error: string; retryable: boolean } | { kind: 'expired' },
  now: Date,
  backoff: BackoffSettings,
  random: () => number,
): Decision {
  const expect: JobExpectation = {
    status: 'running',
    leaseToken: job.leaseToken!,
    cancelRequested: job.cancelRequestedAt !== null,
    // Expiry is not processed while paused, even if the pause lands while a sweep is under way.
    ...(how.kind === 'expired' ? { leaseExpiredBefore: now, unlessPaused: true } : {}),
  };
  const error =
    how.kind === 'fail' ? how.error : `lease expired (no heartbeat from ${job.claimedBy ?? 'worker'})`;
  // Which call ended the attempt (and with what retryable): a repeated fail is answered from it.
  const endedBy: AttemptEnd =
    how.kind === 'fail' ? { endedBy: 'fail', retryable: how.retryable } : { endedBy: 'expiry' };
  // A job whose cancellation was requested is never requeued: it ends as cancelled.
  if (job.cancelRequestedAt) {
    return {
      expect,
      set: { status: 'cancelled', errorMessage: error, ...finish(now) },
      event: {
        level: 'warn',
        kind: 'cancelled',
        message: `cancelled after ${how.kind === 'fail' ? 'failure' : 'lease expiry'}: ${error}`,
        data: endedBy,
      },
    };
  }
  if (how.kind === 'fail' && !how.retryable) {
    return {
      expect,
      set: { status: 'failed', errorMessage: error, ...finish(now) },
      event: { level: 'error', kind: 'failed', message: error, data: endedBy },
    };
  }
  if (job.attempt >= job.maxAttempts) {
    return {
      expect,
      set: { status: 'dead_letter', errorMessage: error, ...finish(now) },
      event: {
        level: 'error',
        kind: 'dead_lettered',
        message: `${how.kind === 'expired' ? 'lease expired' : 'failed'} on the last of ${job.maxAttempts} attempts: ${error}`,
        data: endedBy,
      },
    };
  }
  const delay = backoffSeconds(job.attempt, backoff, random);
  const runAt = new Date(now.getTime() + Math.round(delay * 1000));
  return {
    expect,
    set: { status: 'queued', errorMessage: error, runAt, claimedBy: null, ...released },
    event: {
      level: 'warn',
      kind: how.kind === 'expired' ? 'lease_expired' : 'retry_scheduled',
      message: `${error}; retry ${job.attempt + 1}/${job.maxAttempts} at ${runAt.toISOString()}`,
      data: { runAt: runAt.toISOString(), delaySeconds: Math.round(delay), ...endedBy },
    },
  };
}

/**
 * A claim whose answer never reached its claimer (it went away first) is handed back: nobody
 * knows the token, so nobody could heartbeat or finish the job, and it would sit running until
 * its lease expired. Back to queued and due now, with the attempt the claim counted taken back
 * (the retry budget is for attempts someone worked on), or cancelled if a cancel request came in
 * meanwhile (such a job is never requeued). A first claim set startedAt, which is cleared again;
 * an earlier attempt's start stays. The claim wrote both times as one, and nothing else could
 * change the row without the token, so startedAt = updatedAt says this claim started the job.
 */
export function decideRelease(held: JobRecord, how: { reason: string }, now: Date): Decision {
  const expect: JobExpectation = {
    status: 'running',
    leaseToken: held.leaseToken!,
    cancelRequested: held.cancelRequestedAt !== null,
  };
  const data: AttemptEnd = { endedBy: 'release', reason: how.reason };
  const message = 'the claimer went away before the answer was delivered';
  if (held.cancelRequestedAt) {
    return {
      expect,
      set: { status: 'cancelled', ...finish(now) },
      event: { level: 'warn', kind: 'cancelled', message: `cancelled: ${message}`, data },
    };
  }
  const startedHere = held.startedAt?.getTime() === held.updatedAt.getTime();
  return {
    expect,
    set: {
      status: 'queued',
      attempt: Math.max(0, held.attempt - 1),
      claimedBy: null,
      leaseSeconds: null,
      progress: null,
      progressMessage: null,
      lastHeartbeatEventAt: null,
      ...(startedHere ? { startedAt: null } : {}),
      ...released,
    },
    event: {
      level: 'warn',
      kind: 'released',
      message: `${message}; back to queued, attempt ${held.attempt} not counted`,
      data,
    },
  };
}

/** Whether this heartbeat earns a timeline entry: always with a message/progress, else once per interval. */
export function heartbeatEvent(
  job: JobRecord,
  input: { progress?: number | undefined; message?: string | undefined },
  now: Date,
  intervalSeconds: number,
): NewEvent | undefined {
  if (input.message !== undefined || input.progress !== undefined) {
    return {
      level: 'info',
      kind: 'progress',
      message: input.message ?? null,
      data: input.progress === undefined ? null : { progress: input.progress },
    };
  }
  const last = job.lastHeartbeatEventAt;
  if (last && now.getTime() - last.getTime() < intervalSeconds * 1000) return undefined;
  return { level: 'info', kind: 'heartbeat', message: null };
}

/** A heartbeat extends the lease (by the length asked for, else the claim's) and records progress. */
export function decideHeartbeat(
  held: JobRecord,
  input: z.output<typeof heartbeatInput>,
  now: Date,
  settings: { defaultLeaseSeconds: number; heartbeatEventIntervalSeconds: number },
): Decision {
  const leaseSeconds = input.leaseSeconds ?? held.leaseSeconds ?? settings.defaultLeaseSeconds;
  const event = heartbeatEvent(held, input, now, settings.heartbeatEventIntervalSeconds);
  return {
    expect: { status: 'running', leaseToken: input.leaseToken },
    set: {
      leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
      ...(input.leaseSeconds !== undefined ? { leaseSeconds } : {}),
      ...(input.progress !== undefined ? { progress: input.progress } : {}),
      ...(input.message !== undefined ? { progressMessage: input.message } : {}),
      ...(event ? { lastHeartbeatEventAt: now } : {}),
    },
    ...(event ? { event } : {}),
  };
}

/**
 * Success, decided without reading the row: the lease token is the whole condition. Completing a
 * job whose cancellation was requested still succeeds: the work is done.
 */
export function decideComplete(input: z.output<typeof completeInput>, now: Date): Decision {
  return {
    expect: { status: 'running', leaseToken: input.leaseToken },
    set: {
      status: 'succeeded',
      result: input.result ?? null,
      resultSummary: input.resultSummary ?? null,
      ...finish(now),
    },
    event: {
      level: 'info',
      kind: 'completed',
      message: input.resultSummary ?? null,
      data: { endedBy: 'complete' } satisfies AttemptEnd,
    },
  };
}

/** The holder confirms it stopped after a cancel request: the job ends as cancelled. */
export function decideAckCancel(
  held: JobRecord,
  input: z.output<typeof ackCancelInput>,
  now: Date,
): Decision {
  if (!held.cancelRequestedAt) {
    throw new QueueError(
      'job_state_conflict',
      'No cancellation was requested for this job, so there is nothing to acknowledge. Finish it with complete or fail.',
    );
  }
  return {
    expect: { status: 'running', leaseToken: input.leaseToken, cancelRequested: true },
    set: { status: 'cancelled', ...finish(now) },
    event: {
      level: 'warn',
      kind: 'cancelled',
      message: input.message ?? 'cancellation acknowledged by the worker',
      data: { endedBy: 'ackCancel' } satisfies AttemptEnd,
    },
  };
}

/**
 * Output lines of the holder's work become one `log` event (stderr as a warning). The row only
 * gets its updated_at: the write is conditional on the lease, so a stale holder logs nothing.
 */
export function decideLog(input: z.output<typeof logInput>): Decision {
  return {
    expect: { status: 'running', leaseToken: input.leaseToken },
    set: {},
    event: {
      level: input.stream === 'stderr' ? 'warn' : 'info',
      kind: 'log',
      message: input.lines.join('\n'),
      data: { stream: input.stream, lines: input.lines.length },
    },
  };
}
