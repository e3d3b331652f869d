// Small steps many queue tests share: put a job into a known state, read its timeline.
import type { QueueService } from '../../src/queue/service.js';
import type { EnqueueInput } from '../../src/queue/schemas.js';
import type { Job } from '../../src/core/types.js';

/** Enqueues a job and claims it; returns the claimed job and its lease token. */
export async function startJob(
  svc: QueueService,
  opts: { type?: string; workerId?: string; leaseSeconds?: number; enqueue?: Partial<EnqueueInput> } = {},
): Promise<{ job: Job; token: string }> {
  const type = opts.type ?? 'test.job';
  const { job } = await svc.enqueue({ type, payload: {}, ...opts.enqueue });
  const answer = await svc.claim({
    workerId: opts.workerId ?? 'worker-1',
    types: [type],
    ...(opts.leaseSeconds ? { leaseSeconds: opts.leaseSeconds } : {}),
  });
  if (answer.job?.id !== job.id || !answer.lease)
    throw new Error(`expected to claim ${job.id}, got ${answer.job?.id}`);
  return { job: answer.job, token: answer.lease.token };
}

/** The kinds of a job's events, oldest first. */
export async function eventKinds(svc: QueueService, jobId: string): Promise<string[]> {
  const { events } = await svc.events({ jobId, limit: 1000 });
  return events.map((e) => e.kind);
}
