// What a lease holder does (SPEC §6, §7, §9): heartbeat, complete, fail, acknowledge a cancel, and
// watch its job for a change it must react to. Every write is conditional on holding the lease.
import { QueueError, isQueueError } from '../core/errors.js';
import type { HeartbeatAnswer, Job } from '../core/types.js';
import { decideAndWrite, writeDecision } from './cas.js';
import type { QueueContext } from './context.js';
import { quiesced } from './control.js';
import { notFound } from './errors.js';
import { LeaseMismatch, requireLease, settleMismatch, type LeaseCall } from './lease-story.js';
import * as S from './schemas.js';
import type { JobRecord } from '../store/store.js';
import {
  decideAckCancel,
  decideAttemptEnd,
  decideComplete,
  decideHeartbeat,
  decideLog,
} from './transitions.js';
import { assertJsonWithinLimit, parseInput } from './validate.js';
import { toJob, toLease, toSystem } from './view.js';
import { jobMatch } from './wakeups.js';

export function heartbeat(ctx: QueueContext, raw: S.HeartbeatInput): Promise<HeartbeatAnswer> {
  return withSystemOnLeaseLoss(ctx, raw, async () => {
    const input = parseInput(S.heartbeatInput, raw, 'heartbeat');
    let now = ctx.clock.now();
    // The pauses of the job's own queue, read by its id alongside the job (one round trip).
    const pauseRead = ctx.control.ofJob(input.jobId);
    const updated = await settlingMismatch(ctx, input.leaseToken, { op: 'heartbeat' }, () =>
      decideAndWrite(
        ctx,
        input.jobId,
        (cur, at) => {
          now = at;
          return decideHeartbeat(requireLease(cur, input.jobId, input.leaseToken), input, at, ctx.settings);
        },
        pauseRead,
      ),
    );
    const pauses = await pauseRead;
    let action: HeartbeatAnswer['action'] = 'continue';
    if (updated.cancelRequestedAt) action = 'cancel';
    else if (quiesced(pauses)) action = 'pause';
    const system = toSystem(pauses.fleet, pauses.own);
    return { job: toJob(updated), lease: toLease(updated, now), system, action };
  });
}

export function complete(ctx: QueueContext, raw: S.CompleteInput): Promise<{ job: Job }> {
  return withSystemOnLeaseLoss(ctx, raw, async () => {
    const input = parseInput(S.completeInput, raw, 'complete');
    // The same limit as the payload: a result is stored, and every `get` answers it again.
    assertJsonWithinLimit('result', input.result, ctx.settings.payloadLimitBytes);
    const now = ctx.clock.now();
    // One write, no read first: the lease token is the whole condition. It wakes only those
    // awaiting this job's end (queue_wait, tasks/result), with one NOTIFY (writeDecision).
    // A repeat of this holder's own complete (a retry after a lost answer) gets the same job again.
    const call: LeaseCall = {
      op: 'complete',
      result: input.result ?? null,
      resultSummary: input.resultSummary ?? null,
    };
    const job = await settlingMismatch(ctx, input.leaseToken, call, async () => {
      const done = await writeDecision(ctx, input.jobId, decideComplete(input, now), now);
      return done ?? mismatch(ctx, input.jobId);
    });
    return { job: toJob(job) };
  });
}

export function fail(ctx: QueueContext, raw: S.FailInput): Promise<{ job: Job }> {
  return withSystemOnLeaseLoss(ctx, raw, async () => {
    const input = parseInput(S.failInput, raw, 'fail');
    const call: LeaseCall = { op: 'fail', retryable: input.retryable };
    const job = await settlingMismatch(ctx, input.leaseToken, call, () =>
      decideAndWrite(ctx, input.jobId, (cur, now) =>
        decideAttemptEnd(
          requireLease(cur, input.jobId, input.leaseToken),
          { kind: 'fail', error: input.error, retryable: input.retryable },
          now,
          ctx.settings.backoff,
          ctx.random,
        ),
      ),
    );
    return { job: toJob(job) };
  });
}

export function ackCancel(ctx: QueueContext, raw: S.AckCancelInput): Promise<{ job: Job }> {
  return withSystemOnLeaseLoss(ctx, raw, async () => {
    const input = parseInput(S.ackCancelInput, raw, 'ackCancel');
    const job = await settlingMismatch(ctx, input.leaseToken, { op: 'ackCancel' }, () =>
      decideAndWrite(ctx, input.jobId, (cur, now) =>
        decideAckCancel(requireLease(cur, input.jobId, input.leaseToken), input, now),
      ),
    );
    return { job: toJob(job) };
  });
}

/** Appends the holder's output lines to the job's timeline (one write, like complete). */
export function log(ctx: QueueContext, raw: S.LogInput): Promise<{ written: number }> {
  return withSystemOnLeaseLoss(ctx, raw, async () => {
    const input = parseInput(S.logInput, raw, 'log');
    const now = ctx.clock.now();
    await settlingMismatch(ctx, input.leaseToken, { op: 'log' }, async () => {
      const written = await writeDecision(ctx, input.jobId, decideLog(input), now);
      return written ?? mismatch(ctx, input.jobId);
    });
    return { written: input.lines.length };
  });
}

/**
 * Resolves when something a worker holding this job must react to may have changed (a cancel
 * request, a pause or resume), or after timeoutMs. true = woken by a change, or the job already
 * has a cancel request or no longer runs, or the pause state is no longer the version the holder
 * last saw (`pauseVersion`, from its claim or heartbeat answer). A worker then heartbeats to learn
 * its action; this only makes it learn sooner than its next heartbeat.
 */
export async function watchJob(
  ctx: QueueContext,
  jobId: string,
  opts: { timeoutMs: number; signal?: AbortSignal; pauseVersion?: number },
): Promise<boolean> {
  const waiter = await ctx.wakeups.open(jobMatch(jobId));
  try {
    // A change that landed while the subscription was being set up (on PostgreSQL a new LISTEN
    // connection) sent its wake-up before anyone listened: look once, now that every later
    // change will wake us.
    const [job, pauses] = await Promise.all([
      ctx.store.jobGet({ id: jobId }),
      opts.pauseVersion === undefined ? null : ctx.control.ofJob(jobId),
    ]);
    if (job && (job.cancelRequestedAt !== null || job.status !== 'running')) return true;
    if (pauses && toSystem(pauses.fleet, pauses.own).version !== opts.pauseVersion) return true;
    return await waiter.wait(opts.timeoutMs, opts.signal);
  } finally {
    waiter.close();
  }
}

/** watchJob as a call (REST): the parsed input answered as `{changed}`. */
export async function watch(
  ctx: QueueContext,
  raw: S.WatchInput,
  opts: { signal?: AbortSignal } = {},
): Promise<{ changed: boolean }> {
  const input = parseInput(S.watchInput, raw, 'watch');
  // A job id that names nothing is the caller's mistake, not a wait for a change that cannot come.
  if (!(await ctx.store.jobGet({ id: input.jobId }))) throw notFound(input.jobId);
  const changed = await watchJob(ctx, input.jobId, {
    timeoutMs: input.timeoutSeconds * 1000,
    ...(input.pauseVersion !== undefined ? { pauseVersion: input.pauseVersion } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { changed };
}

/**
 * A lease holder told `lease_lost` also gets the `system` block of its job's queue, as a heartbeat
 * answer would carry. `raw` is the call's input: lease_lost comes only after it parsed.
 */
async function withSystemOnLeaseLoss<T>(
  ctx: QueueContext,
  raw: { jobId: string },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isQueueError(err) || err.code !== 'lease_lost') throw err;
    const system = await ctx.control.ofJob(raw.jobId.toLowerCase()).then(
      (p) => toSystem(p.fleet, p.own),
      () => undefined,
    );
    throw new QueueError('lease_lost', err.message, { details: { ...err.details, system }, cause: err });
  }
}

/** Runs a holder's write; a token that turned out not to hold the lease is settled by what is true. */
async function settlingMismatch(
  ctx: QueueContext,
  token: string,
  call: LeaseCall,
  write: () => Promise<JobRecord>,
): Promise<JobRecord> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof LeaseMismatch)) throw err;
    return settleMismatch(ctx, err.job, token, call);
  }
}

/** A write without a read first found nothing to write: read the job to say why. */
async function mismatch(ctx: QueueContext, id: string): Promise<never> {
  const job = await ctx.store.jobGet({ id });
  throw job ? new LeaseMismatch(job) : notFound(id);
}
