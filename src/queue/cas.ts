// The one compare-and-set loop: read, decide, write only if the row (or the pause state) is still
// what the decision assumed; on a lost race read again and decide again, a bounded number of times.
import type { JobRecord } from '../store/store.js';
import { QueueError } from '../core/errors.js';
import type { QueueContext } from './context.js';
import type { Decision } from './transitions.js';
import { keyRoomAfter, wakeupFor } from './wakeups.js';
import { isTerminal } from '../core/job.js';
import { announcePropagation, propagationFor } from './dependencies.js';

// Two writers racing: the loser re-reads and re-decides; this bounds the rounds.
const MAX_CAS_ATTEMPTS = 5;

/**
 * Runs `attempt` until it returns something other than null (null = the write lost a race).
 * `what` names the thing that kept changing, for the error after the last round.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < MAX_CAS_ATTEMPTS; i++) {
    const done = await attempt();
    if (done !== null) return done;
  }
  throw new QueueError('unavailable', `${what} kept changing under concurrent updates. Retry the call.`);
}

/**
 * Writes one decision about a job: applied only if the row still matches `d.expect`; null when
 * it did not. `from` is the row the decision was made on, to wake whoever the change concerns (a
 * job's end wakes its awaiters even without it).
 */
export async function writeDecision(
  ctx: Pick<QueueContext, 'store' | 'observers'>,
  id: string,
  d: Decision,
  now: Date,
  from?: JobRecord,
): Promise<JobRecord | null> {
  const notify = wakeupFor(id, d, from);
  const write = {
    id,
    expect: d.expect,
    set: d.set,
    now,
    ...(d.event ? { event: d.event } : {}),
    ...(notify ? { notify } : {}),
  };
  if (d.recountDependencies) return requeueWithDependencies(ctx, write, d);
  // Every ending reaches the jobs that depend on this one, in the same transaction (dependencies.ts).
  const ending = d.set.status && isTerminal(d.set.status) ? d.set.status : undefined;
  const propagate = ending ? propagationFor(id, ending, now) : undefined;
  const out = propagate
    ? await ctx.store.jobEnd({ ...write, propagate })
    : await ctx.store.jobUpdate(write).then((job) => job && { job, unblocked: [], cancelled: [] });
  if (!out) return null;
  if (d.event) ctx.observers.emit({ job: out.job, kind: d.event.kind, data: d.event.data, at: now });
  if (propagate) await announcePropagation(ctx, out, propagate, now);
  // A second wake-up, after the commit: the write's own one concerns the job's awaiters or its type.
  const room = keyRoomAfter(d, out.job);
  if (room) await ctx.store.notify(room).catch(() => {});
  return out.job;
}

/**
 * Read, decide, compare-and-set; on a lost race read and decide again. A null decision is a no-op.
 * `readAlongside` is another read the caller's answer needs (heartbeat: the pause state): it runs
 * in parallel with the first read, and nothing is written unless it succeeded, so a caller that
 * gets an error knows that nothing was written.
 */
export function decideAndWrite(
  ctx: Pick<QueueContext, 'store' | 'clock' | 'observers'>,
  id: string,
  decide: (cur: JobRecord | null, now: Date) => Decision | null,
  readAlongside?: Promise<unknown>,
): Promise<JobRecord> {
  return retryOnConflict('The job', async () => {
    const [cur] = await Promise.all([ctx.store.jobGet({ id }), readAlongside]);
    const now = ctx.clock.now();
    const d = decide(cur, now);
    if (!d) return cur!;
    return writeDecision(ctx, id, d, now, cur!);
  });
}

/** A retry of a job that waited for dependencies: it waits again for those not yet succeeded. */
async function requeueWithDependencies(
  ctx: Pick<QueueContext, 'store' | 'observers'>,
  { notify, ...write }: Parameters<QueueContext['store']['jobUpdate']>[0],
  d: Decision,
): Promise<JobRecord | null> {
  const job = await ctx.store.jobRequeueWithDependencies(write);
  if (!job) return null;
  if (d.event) ctx.observers.emit({ job, kind: d.event.kind, data: d.event.data, at: write.now });
  // Claimers are woken only if it is claimable; else the last dependency's success wakes them.
  if (notify && job.pendingDependencies === 0) await ctx.store.notify(notify).catch(() => undefined);
  return job;
}
