// What producers and operators decide about a job they do not hold (SPEC §6, §7): cancel and
// retry, as pure decisions like the holder's in transitions.ts.
import type { JobRecord } from '../store/store.js';
import { QueueError } from '../core/errors.js';
import type { Decision } from './transitions.js';

/**
 * A producer or operator cancels: a queued job ends at once; a running one gets a cancel request
 * its holder learns on its next heartbeat. Repeating it is a no-op (null) that returns the job.
 */
export function decideCancel(
  cur: JobRecord,
  by: { requestedBy: string | null; reason: string | null },
  now: Date,
): Decision | null {
  const { requestedBy, reason } = by;
  const request = { cancelRequestedAt: now, cancelRequestedBy: requestedBy, cancelReason: reason };
  if (cur.status === 'queued') {
    return {
      expect: { status: 'queued' },
      set: { status: 'cancelled', ...request, finishedAt: now },
      event: {
        level: 'warn',
        kind: 'cancelled',
        message: reason ?? 'cancelled before it ran',
        data: { by: requestedBy },
      },
    };
  }
  if (cur.status === 'running' && !cur.cancelRequestedAt) {
    return {
      expect: { status: 'running', cancelRequested: false },
      set: request,
      event: { level: 'warn', kind: 'cancel_requested', message: reason, data: { by: requestedBy } },
    };
  }
  if (cur.status === 'running' || cur.status === 'cancelled') return null;
  throw new QueueError(
    'job_state_conflict',
    `The job already ended as ${cur.status}; only queued or running jobs can be cancelled.`,
    { details: { status: cur.status } },
  );
}

/**
 * An operator runs a failed or dead-lettered job again, from attempt 0, now; or a job cancelled
 * while it waited for its dependencies (a dependency failed, or by hand), which then waits again
 * for those not yet succeeded (the caller has checked that none ended without success).
 */
export function decideRetry(cur: JobRecord, requestedBy: string | null, now: Date): Decision {
  const blocked = cur.status === 'cancelled' && cur.pendingDependencies > 0;
  if (cur.status !== 'failed' && cur.status !== 'dead_letter' && !blocked) {
    throw new QueueError(
      'job_state_conflict',
      `Only failed or dead_letter jobs, or jobs cancelled while waiting for their dependencies, can be retried; this one is ${cur.status}.`,
      { details: { status: cur.status } },
    );
  }
  return {
    expect: { status: cur.status },
    ...(blocked ? { recountDependencies: true } : {}),
    set: {
      // A cancelled job's request is over: the new cycle starts without one.
      cancelRequestedAt: null,
      cancelRequestedBy: null,
      cancelReason: null,
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
      message: `retried by ${requestedBy ?? 'an operator'}`,
      data: { previousStatus: cur.status },
    },
  };
}
