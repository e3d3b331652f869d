// Claim (SPEC §6, §8, §9): take the best job this worker may run, at once or by long-polling, and
// answer with the lease, the `system` block and the next `action`. A long-poll also sleeps through
// a pause: the resume wakes it (pause_changed) and it claims within the same call.
import type { ClaimAnswer, ClaimBatchAnswer, SystemBlock } from '../core/types.js';
import type { NewEvent } from '../store/store.js';
import { newLeaseToken } from '../core/ids.js';
import { leaseTag } from './lease-story.js';
import type { QueueContext } from './context.js';
import { longPoll } from './long-poll.js';
import { release } from './release.js';
import * as S from './schemas.js';
import { narrowTypes } from './scope.js';
import { parseInput } from './validate.js';
import { toJob, toLease, toSystem, waitClaimAnswer } from './view.js';
import { claimMatch } from './wakeups.js';

export interface ClaimOptions {
  /**
   * Aborted when the caller went away: a long-poll stops, and a job claimed by then is released at
   * once (see release.ts) and the answer is `wait`, since nobody would receive its lease token.
   * The abort reason, when a string, is recorded as the release reason.
   */
  signal?: AbortSignal;
  /**
   * Awaited after a job was claimed for a caller with a `signal`, before that signal is checked a
   * last time: a surface lets a disconnect that already happened but is not yet read reach it.
   */
  beforeAnswer?: () => Promise<void>;
  /** Called about every few seconds while a long-poll waits. */
  onWaiting?: (waitedSeconds: number, totalSeconds: number) => void;
  /** The claimer's scope of job types: `types` may narrow it; asking outside it is `forbidden`. */
  allowedTypes?: string[];
  /**
   * Called with the `system` block of every attempt whose pause version is new to this call, so a
   * caller long-polling through a pause learns of the pause (and the resume) when it happens.
   */
  onSystem?: (system: SystemBlock) => void;
}

type ClaimRequest = ReturnType<typeof S.claimInput.parse>;

export async function claim(
  ctx: QueueContext,
  raw: S.ClaimInput,
  opts: ClaimOptions = {},
): Promise<ClaimAnswer> {
  const parsed = parseInput(S.claimInput, raw, 'claim');
  const types = narrowTypes(parsed.types, opts.allowedTypes);
  const input = types ? { ...parsed, types } : parsed;
  // The caller is already gone: taking a job now would leave it held by nobody until its lease expires.
  if (opts.signal?.aborted) return waitClaimAnswer(await ctx.control.system(input.queue), ctx.settings);
  const once = () => claimOnce(ctx, input);
  const answer =
    input.waitSeconds <= 0 ? await once() : await poll(ctx, input, opts, once, (a) => a.job !== null);
  return (await undelivered(ctx, answer, opts)) ?? answer;
}

/**
 * A batched claim: up to `limit` jobs in one answer, each with its own lease, taken in one
 * transaction (a concurrency key's jobs within its limit; on PostgreSQL at most one per key per
 * batch). A long-poll ends with the first job(s) found.
 */
export async function claimBatch(
  ctx: QueueContext,
  raw: S.ClaimBatchInput,
  opts: ClaimOptions = {},
): Promise<ClaimBatchAnswer> {
  const parsed = parseInput(S.claimBatchInput, raw, 'claimBatch');
  const types = narrowTypes(parsed.types, opts.allowedTypes);
  const input = types ? { ...parsed, types } : parsed;
  const waitBatch = (system: SystemBlock): ClaimBatchAnswer => {
    const { job: _job, lease: _lease, ...rest } = waitClaimAnswer(system, ctx.settings);
    return { jobs: [], ...rest };
  };
  if (opts.signal?.aborted) return waitBatch(await ctx.control.system(input.queue));
  const once = () => claimBatchOnce(ctx, input, waitBatch);
  const answer =
    input.waitSeconds <= 0 ? await once() : await poll(ctx, input, opts, once, (a) => a.jobs.length > 0);
  const { signal, beforeAnswer } = opts;
  if (!signal || answer.jobs.length === 0) return answer;
  if (!signal.aborted) await beforeAnswer?.();
  if (!signal.aborted) return answer;
  // Gone before the answer: every job taken for it goes back at once (see undelivered).
  const reason = typeof signal.reason === 'string' ? signal.reason : 'caller_gone';
  for (const { job, lease } of answer.jobs)
    await release(ctx, { jobId: job.id, leaseToken: lease.token, reason });
  return waitBatch(await ctx.control.system(input.queue));
}

/** Releases a job claimed for a caller who is gone by now; the `wait` answer instead. */
async function undelivered(
  ctx: QueueContext,
  answer: ClaimAnswer,
  { signal, beforeAnswer }: ClaimOptions,
): Promise<ClaimAnswer | null> {
  if (!signal || !answer.job || !answer.lease) return null;
  if (!signal.aborted) await beforeAnswer?.();
  if (!signal.aborted) return null;
  const reason = typeof signal.reason === 'string' ? signal.reason : 'caller_gone';
  await release(ctx, { jobId: answer.job.id, leaseToken: answer.lease.token, reason });
  return waitClaimAnswer(await ctx.control.system(answer.job.queue), ctx.settings);
}

/** Claims by `once` until `taken` says a job was, woken by whatever may make one claimable. */
function poll<A extends { system: SystemBlock }>(
  ctx: QueueContext,
  input: ClaimRequest,
  opts: ClaimOptions,
  once: () => Promise<A>,
  taken: (answer: A) => boolean,
): Promise<A> {
  let seenVersion: number | null = null;
  return longPoll({
    waitSeconds: input.waitSeconds,
    // Opened before the first attempt, so an enqueue in between is not missed.
    open: () => ctx.wakeups.open(claimMatch(input.queue, input.types, input.capabilities)),
    attempt: async () => {
      const answer = await once();
      if (opts.onSystem && answer.system.version !== seenVersion) {
        seenVersion = answer.system.version;
        opts.onSystem(answer.system);
      }
      return answer;
    },
    // Only a job (or the deadline) ends the wait: a paused fleet is waited out like an empty queue.
    done: taken,
    msUntilDue: async (answer) => {
      // While paused a due job is no reason to wake: only the resume (or the fallback) is.
      if (answer.system.workersPaused) return Infinity;
      const next = await ctx.store.jobNextRunAt({
        queue: input.queue,
        types: input.types,
        capabilities: input.capabilities,
      });
      return next ? next.getTime() - ctx.clock.now().getTime() : Infinity;
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
  });
}

async function claimOnce(ctx: QueueContext, input: ClaimRequest): Promise<ClaimAnswer> {
  // The sweep checks the pause state itself and does nothing while paused.
  await ctx.sweepIfDue();
  const now = ctx.clock.now();
  const leaseSeconds = input.leaseSeconds ?? ctx.settings.defaultLeaseSeconds;
  // While workers or this queue are paused no job may be claimed: the store judges it in the claim
  // statement itself, so a pause that lands a moment earlier is always honoured and nothing is touched.
  const leaseToken = newLeaseToken();
  const { job, pause, queuePause } = await ctx.store.jobClaim({
    now,
    queue: input.queue,
    workerId: input.workerId,
    types: input.types,
    capabilities: input.capabilities,
    leaseToken,
    leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
    leaseSeconds,
    unlessPaused: true,
    event: claimEvent(input.workerId, leaseToken),
  });
  if (job) {
    ctx.observers.emit({ job, kind: 'claimed', data: { workerId: input.workerId }, at: now });
    const system = toSystem(pause, queuePause);
    return { job: toJob(job), lease: toLease(job, now), system, action: 'work' };
  }
  return waitClaimAnswer(toSystem(pause, queuePause), ctx.settings);
}

async function claimBatchOnce(
  ctx: QueueContext,
  input: ClaimRequest & { limit: number },
  waitBatch: (system: SystemBlock) => ClaimBatchAnswer,
): Promise<ClaimBatchAnswer> {
  await ctx.sweepIfDue();
  const now = ctx.clock.now();
  const leaseSeconds = input.leaseSeconds ?? ctx.settings.defaultLeaseSeconds;
  // One token per job that may be taken: a slot left empty costs only its token.
  const claims = Array.from({ length: input.limit }, () => {
    const leaseToken = newLeaseToken();
    return { leaseToken, event: claimEvent(input.workerId, leaseToken) };
  });
  const { jobs, pause, queuePause } = await ctx.store.jobClaimMany({
    now,
    queue: input.queue,
    workerId: input.workerId,
    types: input.types,
    capabilities: input.capabilities,
    claims,
    leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
    leaseSeconds,
    unlessPaused: true,
  });
  const system = toSystem(pause, queuePause);
  if (jobs.length === 0) return waitBatch(system);
  for (const job of jobs)
    ctx.observers.emit({ job, kind: 'claimed', data: { workerId: input.workerId }, at: now });
  return { jobs: jobs.map((job) => ({ job: toJob(job), lease: toLease(job, now) })), system, action: 'work' };
}

/** The event that opens an attempt's timeline. */
function claimEvent(workerId: string, leaseToken: string): NewEvent {
  return {
    level: 'info',
    kind: 'claimed',
    message: `claimed by ${workerId}`,
    // The token's tag lets a later call with this token learn what became of this attempt.
    data: { workerId, lease: leaseTag(leaseToken) },
  };
}
