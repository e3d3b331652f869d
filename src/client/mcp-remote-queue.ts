// RemoteQueue as the MCP server's queue (`agent-queue mcp --server`): the same REST calls, plus what
// the in-process service does for an MCP caller that goes away, so both modes answer alike:
// - a long-poll whose caller is gone (stdin ended, request cancelled) stops: its REST request is
//   aborted, so serve releases whatever it claimed meanwhile; the claim then answers `wait`, a held
//   heartbeat or wait answers the job as it is now;
// - a claim answer that arrives after the caller left is handed back (release) and answers `wait`;
// - the MCP server's own --types scope narrows a claim here, before the token's scope on the server.
import type { ClaimAnswer, HeartbeatAnswer, SystemBlock } from '../core/types.js';
import type { ClaimOptions, HeartbeatOptions, WaitAnswer, WaitOptions } from '../queue/service.js';
import type * as S from '../queue/schemas.js';
import { narrowTypes } from '../queue/scope.js';
import { DEFAULT_SETTINGS } from '../queue/settings.js';
import { RemoteQueue } from './remote-queue.js';

/** The reason recorded when a claim's answer is handed back, as the service records it. */
const reasonOf = (signal: AbortSignal) => (typeof signal.reason === 'string' ? signal.reason : 'caller_gone');

export class McpRemoteQueue extends RemoteQueue {
  override async claim(input: S.ClaimInput, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
    const { signal, beforeAnswer, allowedTypes, ...rest } = opts;
    const types = narrowTypes(input.types, allowedTypes);
    const asked = types ? { ...input, types } : input;
    if (signal?.aborted) return this.waitAnswer();
    let answer: ClaimAnswer;
    try {
      answer = await super.claim(asked, { ...rest, ...(signal ? { signal } : {}) });
    } catch (err) {
      // Aborted: serve saw the request close and released anything it had claimed for it.
      if (signal?.aborted) return this.waitAnswer();
      throw err;
    }
    if (!signal || !answer.job || !answer.lease) return answer;
    if (!signal.aborted) await beforeAnswer?.();
    if (!signal.aborted) return answer;
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

  /** `wait`, as the service answers a claim that took nothing; the pause state read when not known. */
  private async waitAnswer(known?: SystemBlock): Promise<ClaimAnswer> {
    const system = known ?? (await this.control.status()).system;
    const retryAfterSeconds = system.workersPaused
      ? DEFAULT_SETTINGS.pausedRetryAfterSeconds
      : DEFAULT_SETTINGS.emptyRetryAfterSeconds;
    return { job: null, lease: null, system, action: 'wait', retryAfterSeconds };
  }
}
