// Claim (SPEC §6, §8, §9): take the best job this worker may run, at once or by long-polling, and
// answer with the lease, the `system` block and the next `action`. A long-poll also sleeps through
// a pause: the resume wakes it (pause_changed) and it claims within the same call.
import type { ClaimAnswer, SystemBlock } from '../core/types.js';
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
  const answer = input.waitSeconds <= 0 ? await claimOnce(ctx, input) : await poll(ctx, input, opts);
  return (await undelivered(ctx, answer, opts)) ?? answer;
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

function poll(ctx: QueueContext, input: ClaimRequest, opts: ClaimOptions): Promise<ClaimAnswer> {
  let seenVersion: number | null = null;
  return longPoll({
    waitSeconds: input.waitSeconds,
    // Opened before the first attempt, so an enqueue in between is not missed.
    open: () => ctx.wakeups.open(claimMatch(input.queue, input.types, input.capabilities)),
    attempt: async () => {
      const answer = await claimOnce(ctx, input);
      if (opts.onSystem && answer.system.version !== seenVersion) {
        seenVersion = answer.system.version;
        opts.onSystem(answer.system);
      }
      return answer;
    },
    // Only a job (or the deadline) ends the wait: a paused fleet is waited out like an empty queue.
    done: (answer) => answer.job !== null,
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
    event: {
      level: 'info',
      kind: 'claimed',
      message: `claimed by ${input.workerId}`,
      // The token's tag lets a later call with this token learn what became of this attempt.
      data: { workerId: input.workerId, lease: leaseTag(leaseToken) },
    },
  });
  if (job) {
    ctx.observers.emit({ job, kind: 'claimed', data: { workerId: input.workerId }, at: now });
    const system = toSystem(pause, queuePause);
    return { job: toJob(job), lease: toLease(job, now), system, action: 'work' };
  }
  return waitClaimAnswer(toSystem(pause, queuePause), ctx.settings);
}
