// What a worker holds: after a restart an agent finds its own running jobs, with their lease
// tokens, under its stable worker id, and carries on (heartbeat, complete) instead of letting them
// expire and be redone.
//
// Tokens are stored as issued (not hashed), so the holder simply gets the same token back; no
// re-issue is needed, and the job's timeline is untouched. Who may see a token: only the worker id
// that holds the job. The service cannot tell who calls, so each surface passes its own identity
// (the MCP session's worker id, the CLI's --worker-id), never an id taken from the call's arguments;
// operator reads (list, get) never carry tokens at all (toJob leaves them out).
import type { HeldAnswer } from '../core/types.js';
import type { QueueContext } from './context.js';
import * as S from './schemas.js';
import { parseInput } from './validate.js';
import { toJob, toLease } from './view.js';

/** More than any one worker runs at once; the rest would only cost the agent context. */
export const MAX_HELD = 100;

export async function held(ctx: QueueContext, raw: S.HeldInput): Promise<HeldAnswer> {
  const input = parseInput(S.heldInput, raw, 'held');
  const rows = await ctx.store.jobList({ status: 'running', claimedBy: input.workerId, limit: MAX_HELD });
  const now = ctx.clock.now();
  // A lease that ran out but was not swept yet is still listed (lease.seconds 0): a heartbeat
  // with its token still keeps the job, and is the one place that decides.
  return {
    workerId: input.workerId,
    jobs: rows.map((r) => ({ job: toJob(r), lease: toLease(r, now) })),
  };
}
