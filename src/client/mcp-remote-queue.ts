// RemoteQueue as the MCP server's queue (`agent-queue mcp --server`): the same REST calls, plus what
// the in-process service does for an MCP caller that goes away, so both modes answer alike:
// - a long-poll whose caller is gone (stdin ended, request cancelled) stops: its REST request is
//   aborted, so serve releases whatever it claimed meanwhile; the claim then answers `wait`, a held
//   heartbeat or wait answers the job as it is now;
// - a claim answer that arrives after the caller left is handed back (release) and answers `wait`;
// - the MCP server's own --types scope narrows a claim here, before the token's scope on the server.
//
// One gap HTTP leaves: serve can claim a job for a long-poll in the moment between our abort and
// its reading of the closed connection, and answer into a socket nobody reads. When this session's
// worker id is its own (no token, no fixed --worker-id), such a job is found and handed back: it is
// held by our id under a lease token this session never received. With a shared name (a token's,
// a fixed id) other processes' jobs look the same, so there the lease simply expires (docs/mcp.md).
import type { ClaimAnswer, HeartbeatAnswer, SystemBlock } from '../core/types.js';
import type { ClaimOptions, HeartbeatOptions, WaitAnswer, WaitOptions } from '../queue/service.js';
import type * as S from '../queue/schemas.js';
import { narrowTypes } from '../queue/scope.js';
import { waitClaimAnswer } from '../queue/view.js';
import { RemoteQueue } from './remote-queue.js';
import type { RestClientOptions } from './rest-client.js';

/** The reason recorded when a claim's answer is handed back, as the service records it. */
const reasonOf = (signal: AbortSignal) => (typeof signal.reason === 'string' ? signal.reason : 'caller_gone');

export interface McpRemoteQueueOptions extends RestClientOptions {
  /** The worker id this session claims as is used by no other process (see the gap above). */
  ownWorkerId?: boolean;
}

export class McpRemoteQueue extends RemoteQueue {
  private readonly ownWorkerId: boolean;
  /** Lease tokens of the claims this session received: any other job held by our id was lost. */
  private readonly received = new Set<string>();
  /** Claims of this session whose answer has not arrived yet. */
  private pendingClaims = 0;

  constructor(opts: McpRemoteQueueOptions) {
    super(opts);
    this.ownWorkerId = opts.ownWorkerId ?? false;
  }

  override async claim(input: S.ClaimInput, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
    const { signal, beforeAnswer, allowedTypes, ...rest } = opts;
    const types = narrowTypes(input.types, allowedTypes);
    const asked = types ? { ...input, types } : input;
    if (signal?.aborted) return this.waitAnswer();
    let answer: ClaimAnswer;
    this.pendingClaims += 1;
    try {
      answer = await super.claim(asked, { ...rest, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (!signal?.aborted) throw err;
      // Aborted: serve releases what it claimed for the request once it reads the close.
      // Best effort: if serve cannot be reached now, that job's lease expires as it would have.
      // Only while no other claim of this session is on its way: its answer's token is not known
      // yet, and its job would look lost.
      if (this.ownWorkerId && this.pendingClaims === 1)
        await this.releaseLost(input.workerId, reasonOf(signal)).catch(() => undefined);
      return this.waitAnswer();
    } finally {
      this.pendingClaims -= 1;
    }
    if (!answer.job || !answer.lease) return answer;
    // A few dozen bytes per claim, kept for the session: one agent's claims, not a fleet's. Known
    // before anything else is awaited, so a parallel claim's releaseLost never takes this job.
    if (this.ownWorkerId) this.received.add(answer.lease.token);
    if (signal && !signal.aborted) await beforeAnswer?.();
    if (!signal?.aborted) return answer;
    // The caller left while the answer was on its way: nobody would hold this lease.
    await this.release({ jobId: answer.job.id, leaseToken: answer.lease.token, reason: reasonOf(signal) });
    return this.waitAnswer(answer.system);
  }

  override async heartbeat(input: S.HeartbeatInput, opts: HeartbeatOptions = {}): Promise<HeartbeatAnswer> {
    try {
      return await super.heartbeat(input, opts);
    } catch (err) {
      // A held beat whose caller left: beat once more without holding, as the service answers then.
      if (!opts.signal?.aborted) throw err;
      return super.heartbeat({ ...input, waitSeconds: 0 });
    }
  }

  override async wait(input: S.WaitInput, opts: Omit<WaitOptions, 'until'> = {}): Promise<WaitAnswer> {
    try {
      return await super.wait(input, opts);
    } catch (err) {
      // The caller left: the job as it is now, as the service answers then.
      if (!opts.signal?.aborted) throw err;
      return super.wait({ ...input, waitSeconds: 0 });
    }
  }

  /** Hands back the jobs our own worker id holds under a lease token this session never received. */
  private async releaseLost(workerId: string, reason: string): Promise<void> {
    const { jobs } = await this.held({ workerId });
    for (const { job, lease } of jobs) {
      if (!this.received.has(lease.token))
        await this.release({ jobId: job.id, leaseToken: lease.token, reason });
    }
  }

  /** `wait`, as the service answers a claim that took nothing; the pause state read when not known. */
  private async waitAnswer(known?: SystemBlock): Promise<ClaimAnswer> {
    return waitClaimAnswer(known ?? (await this.control.status()).system);
  }
}
