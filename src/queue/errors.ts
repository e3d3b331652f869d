import type { JobRecord } from '../store/store.js';

// Few error classes, one stable code each (SPEC §6). Surfaces map codes to HTTP/MCP in one place each.

export const ERROR_CODES = [
  'not_found',
  'invalid_argument',
  'lease_lost',
  'job_state_conflict',
  'workers_paused',
  'unauthorized',
  'forbidden',
  'payload_too_large',
  'unavailable',
  // Not a caller's mistake and not transient: a bug. Retrying the same call will not help.
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class QueueError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (e.g. the current job state, `action` for lease loss). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueError';
    this.code = code;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export const isQueueError = (e: unknown): e is QueueError => e instanceof QueueError;

export const notFound = (jobId: string): QueueError =>
  new QueueError(
    'not_found',
    `No job with id "${jobId}". Check the id (queue_list / agent-queue list shows recent jobs).`,
  );

export function leaseLostError(job: JobRecord): QueueError {
  const why =
    job.status === 'running'
      ? `it was claimed again (attempt ${job.attempt}, by ${job.claimedBy ?? 'another worker'}) after your lease expired`
      : `it is now ${job.status}`;
  return new QueueError(
    'lease_lost',
    `This job is no longer yours: ${why}. Stop working on it and claim another job; do not retry this call.`,
    {
      details: { action: 'lease_lost', status: job.status },
    },
  );
}
