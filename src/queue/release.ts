// Handing back a claim whose answer never reached its claimer (it went away first). Only the token
// the claim issued can do it; any other token, or a job that moved on, changes nothing.
import type { Job } from '../core/types.js';
import { decideAndWrite } from './cas.js';
import type { QueueContext } from './context.js';
import { notFound } from './errors.js';
import * as S from './schemas.js';
import { decideRelease } from './transitions.js';
import { parseInput } from './validate.js';
import { toJob } from './view.js';

export interface ReleaseAnswer {
  /** false: the token no longer held the lease (finished, expired, claimed again), nothing changed. */
  released: boolean;
  job: Job;
}

export async function release(ctx: QueueContext, raw: S.ReleaseInput): Promise<ReleaseAnswer> {
  const input = parseInput(S.releaseInput, raw, 'release');
  let released = false;
  const job = await decideAndWrite(ctx, input.jobId, (cur, now) => {
    if (!cur) throw notFound(input.jobId);
    released = cur.status === 'running' && cur.leaseToken === input.leaseToken;
    return released ? decideRelease(cur, input, now) : null;
  });
  return { released, job: toJob(job) };
}
