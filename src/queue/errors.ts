// The queue's refusals that name a job's state; the error class itself is in src/core.
import type { JobRecord } from '../store/store.js';
import { echo } from '../core/echo.js';
import { QueueError } from '../core/errors.js';

export const notFound = (jobId: string): QueueError =>
  new QueueError('not_found', `No job with id "${echo(jobId)}". Check the id.`, { hint: 'list_jobs' });

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
