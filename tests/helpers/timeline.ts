// Replays a job's event timeline through the lifecycle of SPEC §5/§7 and lists every way it is
// inconsistent (an empty list means consistent). Used after races, where any order is possible
// but only some outcomes are legal.
import type { Job, JobEvent, JobStatus } from '../../src/core/types.js';
import { isTerminal } from '../../src/core/types.js';

/** The status each state-changing event leads to, and the statuses it may start from. */
const TRANSITIONS: Record<string, { from: JobStatus[]; to: JobStatus }> = {
  claimed: { from: ['queued'], to: 'running' },
  completed: { from: ['running'], to: 'succeeded' },
  failed: { from: ['running'], to: 'failed' },
  retry_scheduled: { from: ['running'], to: 'queued' },
  lease_expired: { from: ['running'], to: 'queued' },
  dead_lettered: { from: ['running'], to: 'dead_letter' },
  cancelled: { from: ['queued', 'running'], to: 'cancelled' },
  retried: { from: ['failed', 'dead_letter'], to: 'queued' },
};
const REQUEUE = new Set(['retry_scheduled', 'lease_expired']);
const TERMINAL_EVENTS = new Set(['completed', 'failed', 'cancelled', 'dead_lettered']);

export function timelineProblems(job: Job, events: JobEvent[]): string[] {
  const problems: string[] = [];
  const kinds = events.map((e) => e.kind);
  if (kinds[0] !== 'enqueued') problems.push(`first event is ${kinds[0]}, not enqueued`);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.id <= events[i - 1]!.id) problems.push('event ids are not ascending');
  }
  let status: JobStatus = 'queued';
  let cancelRequested = false;
  for (const kind of kinds.slice(1)) {
    if (kind === 'cancel_requested') {
      if (status !== 'running') problems.push(`cancel_requested while ${status}`);
      if (cancelRequested) problems.push('cancel_requested twice');
      cancelRequested = true;
      continue;
    }
    const t = TRANSITIONS[kind];
    if (!t) continue; // heartbeat, progress, log: no state change
    if (!t.from.includes(status)) problems.push(`${kind} while ${status}`);
    if (cancelRequested && REQUEUE.has(kind)) problems.push(`${kind} after cancel_requested`);
    status = t.to;
  }
  // An operator retry opens a new cycle; count terminal events of the current one.
  const terminal = kinds.slice(kinds.lastIndexOf('retried') + 1).filter((k) => TERMINAL_EVENTS.has(k));
  if (isTerminal(job.status) && terminal.length !== 1) {
    problems.push(`${terminal.length} terminal events for a ${job.status} job: ${kinds.join(',')}`);
  }
  if (!isTerminal(job.status) && terminal.length !== 0)
    problems.push(`terminal event on a ${job.status} job`);
  const cancelledAt = kinds.indexOf('cancelled');
  if (cancelledAt >= 0 && kinds.indexOf('completed', cancelledAt) >= 0)
    problems.push('completed after cancelled');
  if (status !== job.status) problems.push(`timeline ends in ${status} but the job is ${job.status}`);
  // Every cancel (queued or running) records the request on the job; nothing else does.
  const requested = cancelRequested || kinds.includes('cancelled');
  if ((job.cancelRequestedAt !== null) !== requested) {
    problems.push(
      `cancelRequestedAt=${job.cancelRequestedAt} does not match the timeline ${kinds.join(',')}`,
    );
  }
  return problems;
}
