// The queue's refusals that name a job's state; the error class itself is in src/core.
import type { JobRecord } from '../store/store.js';
import { echo } from '../core/echo.js';
import { QueueError } from '../core/errors.js';

export const notFound = (jobId: string): QueueError =>
  new QueueError('not_found', `No job with id "${echo(jobId)}". Check the id.`, { hint: 'list_jobs' });

/**
 * The job, unless a caller scoped to a named queue asks about a job of another queue: that one
 * does not exist for it (not_found, as an unknown id), so a scope reveals nothing beyond itself.
 */
export function inQueue(job: JobRecord | null, queue: string | undefined): JobRecord | null {
  return job && (queue === undefined || job.queue === queue) ? job : null;
}

export function leaseLostError(job: JobRecord): QueueError {
  // Said without knowing which attempt the token was issued for (see lease-story.ts): only facts.
  const now =
    job.status === 'running'
      ? `it is running attempt ${job.attempt}, held by ${job.claimedBy ?? 'another worker'}`
      : `it is now ${job.status}`;
  return new QueueError(
    'lease_lost',
    `This lease token does not hold this job's lease: ${now}. Stop working on it and claim another job; do not retry this call.`,
    {
      details: { action: 'lease_lost', status: job.status },
    },
  );
}
