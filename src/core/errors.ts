// The one error class every layer throws: a stable code (SPEC §6) and a message that says how to fix it.
// Surfaces map codes to HTTP/MCP/exit codes in one place each.
import { echo } from './echo.js';

/** How much of an unexpected error's own message an answer repeats (the log has all of it). */
const MAX_INTERNAL_DETAIL = 300;

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

/**
 * What would fix the error, where only a surface can say it in its own words (a tool, a flag, a
 * route): the queue's messages name no surface, since every surface shows them.
 */
export type ErrorHint =
  /** The caller named a job that does not exist: where to see the ids of recent jobs. */
  | 'list_jobs'
  /** A resume was refused while jobs still run: how to force it. */
  | 'force_resume'
  /** A claim asked for types outside the claimer's scope: where that scope is configured. */
  | 'claim_scope';

export class QueueError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (e.g. the current job state, `action` for lease loss). */
  readonly details: Record<string, unknown> | undefined;
  readonly hint: ErrorHint | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; hint?: ErrorHint } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueError';
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export const isQueueError = (e: unknown): e is QueueError => e instanceof QueueError;

/** The message with the surface's wording of the error's hint, if it has one for it. */
export function withHint(err: QueueError, hints: Partial<Record<ErrorHint, string>>): string {
  const hint = err.hint ? hints[err.hint] : undefined;
  return hint ? `${err.message} ${hint}` : err.message;
}

/** Any thrown value as a QueueError: unknown errors are `internal`, a bug, not worth retrying. */
export function toQueueError(err: unknown): QueueError {
  if (isQueueError(err)) return err;
  // Capped: a driver's message may quote a whole row value.
  const detail = echo(err instanceof Error ? err.message : String(err), MAX_INTERNAL_DETAIL);
  return new QueueError(
    'internal',
    `The server hit an unexpected error (${detail}). This is a bug in agent-queue, not in your call; retrying will not help. Check the server log.`,
    { cause: err },
  );
}
