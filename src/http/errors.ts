// The one place where queue errors become HTTP answers: a status per stable code (SPEC §11) and
// the body `{error: {code, message, details?}}`. MCP over HTTP answers through src/mcp/errors.ts.
import { toQueueError, type ErrorCode } from '../core/errors.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  lease_lost: 409,
  job_state_conflict: 409,
  workers_paused: 409,
  payload_too_large: 413,
  internal: 500,
  unavailable: 503,
};

export interface HttpErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * Any thrown value -> status and body. An error's `hint` (core/errors.ts) is left out until the
 * REST routes exist to word it (e.g. which route lists jobs).
 */
export function httpError(err: unknown): { status: number; body: HttpErrorBody } {
  const e = toQueueError(err);
  const body: HttpErrorBody = { error: { code: e.code, message: e.message } };
  if (e.details) body.error.details = e.details;
  return { status: STATUS[e.code], body };
}
