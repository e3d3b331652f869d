// Queue behaviour that operators may tune (SPEC §15 defaults). src/settings fills it from flags and the environment.
import type { BackoffSettings } from './backoff.js';

export interface QueueSettings {
  defaultLeaseSeconds: number;
  defaultMaxAttempts: number;
  backoff: BackoffSettings;
  payloadLimitBytes: number;
  /** `retryAfterSeconds` in a `wait` answer when the queue is empty / when workers are paused. */
  emptyRetryAfterSeconds: number;
  pausedRetryAfterSeconds: number;
  /** A plain heartbeat (no message/progress) is written to the timeline at most this often. */
  heartbeatEventIntervalSeconds: number;
  /** Finished jobs and their events are pruned after this many days (long-lived processes, `prune`). */
  retentionDays: number;
}

export const DEFAULT_SETTINGS: QueueSettings = {
  defaultLeaseSeconds: 600,
  defaultMaxAttempts: 3,
  backoff: { baseSeconds: 15, capSeconds: 600, jitter: 0.2 },
  payloadLimitBytes: 256 * 1024,
  emptyRetryAfterSeconds: 5,
  pausedRetryAfterSeconds: 15,
  heartbeatEventIntervalSeconds: 60,
  retentionDays: 14,
};
