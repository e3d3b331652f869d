// What a worker needs from the queue, and nothing more. The worker runtime depends on this port,
// so it runs on the in-process QueueService and on a remote serve (src/client/remote-queue.ts) alike.
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../core/types.js';
import type { ClaimOptions } from './claim.js';
import type { HeartbeatOptions } from './heartbeat-hold.js';
import type * as S from './schemas.js';

export interface WorkerPort {
  claim(input: S.ClaimInput, opts?: ClaimOptions): Promise<ClaimAnswer>;
  heartbeat(input: S.HeartbeatInput, opts?: HeartbeatOptions): Promise<HeartbeatAnswer>;
  complete(input: S.CompleteInput): Promise<{ job: Job }>;
  fail(input: S.FailInput): Promise<{ job: Job }>;
  ackCancel(input: S.AckCancelInput): Promise<{ job: Job }>;
  /** Appends output lines of the held job to its timeline as one `log` event. */
  log(input: S.LogInput): Promise<{ written: number }>;
  /**
   * Resolves true as soon as something the holder of this job must react to may have changed (a
   * cancel request, a pause or resume), false after `timeoutMs` or on abort. The worker then
   * heartbeats to learn what to do; without it, it learns on its next regular heartbeat. Pass
   * `pauseVersion` (system.version of its last answer) so a pause or resume made while the watch
   * was being set up is not missed.
   */
  watchJob(
    jobId: string,
    opts: { timeoutMs: number; signal?: AbortSignal; pauseVersion?: number },
  ): Promise<boolean>;
}
