// The queue's refusals that name a job's state; the error class itself is in src/core.
import type { JobRecord } from '../store/store.js';
import { QueueError } from '../core/errors.js';

export const notFound = (jobId: string): QueueError =>
  new QueueError('not_found', `No job with id "${jobId}". Check the id.`, { hint: 'list_jobs' });

export function leaseLostError(job: JobRecord): QueueError {
  const why =
    job.status === 'running'
      ? `it was claimed again (attempt ${job.attempt}, by ${job.claimedBy ?? 'another worker'}) after your lease expired`
      : `it is now ${job.status}`;
  return new QueueError(
    'lease_lost',
    `This job is no longer yours: ${why}. Stop working on it and claim another job; do not retry this call.`,
    {
      details: { action: 'lease_lost', status: job.status },
    },
  );
}
