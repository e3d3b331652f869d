// The lifecycle rules of SPEC §5 and §7 as pure decisions: given a job and what happened, what the
// job becomes. The service writes a decision with a compare-and-set on exactly what it assumed.
import type { JobExpectation, JobPatch, JobRecord, NewEvent } from '../store/store.js';
import { backoffSeconds, type BackoffSettings } from './backoff.js';
import { uuidv7 } from './ids.js';
import type { enqueueInput } from './schemas.js';
import type { z } from 'zod';

export interface Decision {
  expect: JobExpectation;
  set: JobPatch;
  event: NewEvent;
}

/** Where every job starts: queued, attempt 0, no lease. */
export function newJobRecord(
  input: z.output<typeof enqueueInput>,
  at: { now: Date; runAt: Date; maxAttempts: number },
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
  // A job whose cancellation was requested is never requeued: it ends as cancelled.
  if (job.cancelRequestedAt) {
    return {
      expect,
      set: { status: 'cancelled', errorMessage: error, ...finish(now) },
      event: {
        level: 'warn',
        kind: 'cancelled',
        message: `cancelled after ${how.kind === 'fail' ? 'failure' : 'lease expiry'}: ${error}`,
      },
    };
  }
  if (how.kind === 'fail' && !how.retryable) {
    return {
      expect,
      set: { status: 'failed', errorMessage: error, ...finish(now) },
      event: { level: 'error', kind: 'failed', message: error, data: { retryable: false } },
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
      data: { runAt: runAt.toISOString(), delaySeconds: Math.round(delay) },
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
