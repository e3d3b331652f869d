// A lease token that does not hold its job's lease, answered with what is true (SPEC §6). Each
// claim event keeps a tag of the attempt's token and each attempt's last event says which call
// ended it, so a call with a non-holding token is one of three things:
// - a repeat of the holder's own finishing call (a retry after a lost answer), while the job was not
//   claimed again since: the same outcome;
// - a token of an earlier attempt: lease_lost, saying what ended that attempt and what the job is now;
// - a token this job never issued (a typo, another job's token): invalid_argument, since the job
//   may well still be the caller's; nothing expired.
import { createHash } from 'node:crypto';
import type { JobEvent } from '../core/types.js';
import { QueueError } from '../core/errors.js';
import type { JobRecord } from '../store/store.js';
import type { QueueContext } from './context.js';
import { leaseLostError, notFound } from './errors.js';
import type { AttemptEnd } from './transitions.js';

/**
 * What the timeline keeps of a lease token: a short SHA-256 prefix. Events are shown to anyone who
 * may read the job, so never the token itself; tokens are random, so the tag cannot be reversed.
 */
export const leaseTag = (token: string): string =>
  createHash('sha256').update(token).digest('hex').slice(0, 16);

/** A token that does not hold the job's lease. Its message is only the fallback: see settleMismatch. */
export class LeaseMismatch extends QueueError {
  constructor(readonly job: JobRecord) {
    const fallback = leaseLostError(job);
    super(fallback.code, fallback.message, { details: fallback.details ?? {} });
  }
}

/** The job, if `token` holds its lease; else LeaseMismatch (the caller settles it) or not_found. */
export function requireLease(job: JobRecord | null, id: string, token: string): JobRecord {
  if (!job) throw notFound(id);
  if (job.status !== 'running' || job.leaseToken !== token) throw new LeaseMismatch(job);
  return job;
}

/** The call a token was sent with; the finishing ones with what makes a repeat "the same call". */
export type LeaseCall =
  | { op: 'complete'; result: unknown; resultSummary: string | null }
  | { op: 'fail'; retryable: boolean }
  | { op: 'ackCancel' | 'heartbeat' | 'log' };

// The events that open, end or reset an attempt; the rest (progress, logs) are not read.
const ATTEMPT_KINDS = [
  'claimed',
  'retried',
  'completed',
  'failed',
  'retry_scheduled',
  'dead_lettered',
  'cancelled',
  'lease_expired',
  'released',
];
// A job has a few such events per attempt; this bounds the read on a job retried without end.
const MAX_ATTEMPT_EVENTS = 10_000;

interface TokenAttempt {
  attempt: number;
  /** No claim came after this token's. */
  latest: boolean;
  /** How the attempt ended, when its ending event says so. */
  end: AttemptEnd | null;
}

const dataOf = (e: JobEvent): Record<string, unknown> =>
  typeof e.data === 'object' && e.data !== null ? (e.data as Record<string, unknown>) : {};

/** The attempt this token was issued for; null if none; 'untagged' if claims predate the tags. */
async function findAttempt(
  ctx: Pick<QueueContext, 'store'>,
  jobId: string,
  token: string,
): Promise<TokenAttempt | null | 'untagged'> {
  const events = await ctx.store.eventsList({ jobId, limit: MAX_ATTEMPT_EVENTS, kinds: ATTEMPT_KINDS });
  const tag = leaseTag(token);
  const at = events.findIndex((e) => e.kind === 'claimed' && dataOf(e).lease === tag);
  if (at < 0) {
    return events.some((e) => e.kind === 'claimed' && dataOf(e).lease === undefined) ? 'untagged' : null;
  }
  const later = events.slice(at + 1);
  const next = later.findIndex((e) => e.kind === 'claimed' || e.kind === 'retried');
  const ending = (next < 0 ? later : later.slice(0, next)).find((e) => dataOf(e).endedBy !== undefined);
  return {
    attempt: events[at]!.attempt,
    latest: !later.some((e) => e.kind === 'claimed'),
    end: ending ? (dataOf(ending) as unknown as AttemptEnd) : null,
  };
}

/**
 * Answers a call whose token does not hold `job`'s lease: returns the job when the call repeats
 * the one that ended this token's attempt (the same outcome again); otherwise throws what is true.
 */
export async function settleMismatch(
  ctx: Pick<QueueContext, 'store'>,
  job: JobRecord,
  token: string,
  call: LeaseCall,
): Promise<JobRecord> {
  const found = await findAttempt(ctx, job.id, token);
  // Claimed before tokens were tagged: the old, vaguer answer is all that can be said.
  if (found === 'untagged') throw leaseLostError(job);
  if (!found) throw unknownToken(job);
  // A repeat only while the job is still in the attempt this token ended: once it was claimed
  // again (or an operator retry reset it), answering "done" with the job as it is now would read
  // as if the caller still held it.
  const sameAttempt = found.latest && job.attempt === found.attempt;
  if (found.end && sameAttempt && isRepeat(found.end, call, job, found.attempt)) return job;
  throw staleToken(job, found, call);
}

/** Whether `call` repeats the call that ended the attempt; a repeat asking for another outcome conflicts. */
function isRepeat(end: AttemptEnd, call: LeaseCall, job: JobRecord, attempt: number): boolean {
  if (end.endedBy !== call.op) return false;
  if (call.op === 'complete') {
    const same = sameJson(job.result, call.result) && job.resultSummary === call.resultSummary;
    if (same) return true;
    throw new QueueError(
      'job_state_conflict',
      'This job already succeeded: your earlier complete with this lease token was recorded, with a different result or resultSummary. The first one stands and nothing was changed; a job is completed once. Stop working on it.',
      { details: { status: job.status, resultSummary: job.resultSummary } },
    );
  }
  if (call.op === 'fail' && end.endedBy === 'fail' && end.retryable !== call.retryable) {
    throw new QueueError(
      'job_state_conflict',
      `Your earlier fail with this lease token already ended attempt ${attempt} with retryable: ${end.retryable}; the job is now ${job.status}. A repeated fail cannot change that, and nothing was changed. Stop working on it.`,
      { details: { status: job.status, retryable: end.retryable } },
    );
  }
  return true;
}

/** JSON equality regardless of key order: PostgreSQL's jsonb does not keep the order that was sent. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])])
        : v;
  return JSON.stringify(canonical(a ?? null)) === JSON.stringify(canonical(b ?? null));
}

function staleToken(job: JobRecord, found: TokenAttempt, call: LeaseCall): QueueError {
  const n = found.attempt;
  const ended =
    found.end === null
      ? `attempt ${n}, which this token was issued for, is over`
      : found.end.endedBy === 'expiry'
        ? `your lease of attempt ${n} expired (no heartbeat in time)`
        : found.end.endedBy === 'release'
          ? `the claim of attempt ${n} was handed back because its answer could not be delivered (${found.end.reason})`
          : `you already ended attempt ${n} with ${found.end.endedBy} using this token, so ${call.op} cannot apply`;
  const now =
    job.status === 'running' && !found.latest
      ? `it was claimed again (attempt ${job.attempt}, by ${job.claimedBy ?? 'another worker'})`
      : `it is now ${job.status}`;
  return new QueueError(
    'lease_lost',
    `This job is no longer yours: ${ended}, and ${now}. Stop working on it and claim another job; do not retry this call.`,
    { details: { action: 'lease_lost', status: job.status, attempt: n } },
  );
}

function unknownToken(job: JobRecord): QueueError {
  const state =
    job.status === 'running'
      ? `The job is running (attempt ${job.attempt}, held by ${job.claimedBy ?? 'a worker'}): if you claimed it, it is still yours and nothing expired.`
      : `The job is now ${job.status}.`;
  return new QueueError(
    'invalid_argument',
    `This leaseToken does not match job ${job.id}'s current lease, nor any earlier lease of it: it was never issued for this job. ${state} Send the exact lease.token from the claim answer that gave you this job (jobId and leaseToken must come from the same claim).`,
    { details: { status: job.status, reason: 'lease_token_unknown' } },
  );
}
