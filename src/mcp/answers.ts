// What the lease-holding tools answer over MCP. The service answers with the whole job (CLI and
// REST show it); a worker already has the payload from its claim, and a heartbeat every few minutes
// that repeats up to 256 KiB of it costs the agent's context for nothing. So these answers carry
// the job's state only: what the worker acts on.
import type { HeartbeatAnswer, Job } from '../core/types.js';

/** The part of a job a worker acts on after a heartbeat, complete, fail or ack. */
export const jobState = (job: Job) => ({
  id: job.id,
  status: job.status,
  attempt: job.attempt,
  progress: job.progress,
  cancelReason: job.cancelReason,
});

export const leanHeartbeat = ({ job, lease, system, action }: HeartbeatAnswer) => ({
  job: jobState(job),
  lease,
  system,
  action,
});

export const leanFinish = ({ job }: { job: Job }) => ({ job: jobState(job) });
