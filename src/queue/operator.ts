// What producers and operators do to a job they do not hold (SPEC §6, §7): cancel and retry.
import type { Job } from '../core/types.js';
import { decideAndWrite, retryOnConflict, writeDecision } from './cas.js';
import { assertRetryable } from './dependencies.js';
import type { QueueContext } from './context.js';
import { inQueue, notFound } from './errors.js';
import * as S from './schemas.js';
import { decideCancel, decideRetry } from './operator-decisions.js';
import { parseInput } from './validate.js';
import { toJob } from './view.js';

export async function cancel(ctx: QueueContext, raw: S.CancelInput): Promise<{ job: Job }> {
  const input = parseInput(S.cancelInput, raw, 'cancel');
  const by = { requestedBy: input.requestedBy ?? null, reason: input.reason ?? null };
  const job = await decideAndWrite(ctx, input.jobId, (cur, now) => {
    if (!inQueue(cur, input.queue)) throw notFound(input.jobId);
    return decideCancel(cur!, by, now);
  });
  return { job: toJob(job) };
}

export async function retry(ctx: QueueContext, raw: S.RetryInput): Promise<{ job: Job }> {
  const input = parseInput(S.retryInput, raw, 'retry');
  const job = await retryOnConflict('The job', async () => {
    const cur = await ctx.store.jobGet({ id: input.jobId });
    if (!cur || !inQueue(cur, input.queue)) throw notFound(input.jobId);
    const now = ctx.clock.now();
    const d = decideRetry(cur, input.requestedBy ?? null, now);
    // Read only for a job that waited for dependencies: the store re-checks them when it writes.
    if (d.recountDependencies) assertRetryable(await ctx.store.jobDependencies({ id: cur.id }));
    return writeDecision(ctx, cur.id, d, now, cur);
  });
  return { job: toJob(job) };
}
