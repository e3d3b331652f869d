// The one place where queue errors become HTTP answers: a status per stable code (SPEC §11) and
// the body `{error: {code, message, details?}}`. MCP over HTTP answers through src/mcp/errors.ts.
import type { Context } from 'hono';
import { toQueueError, withHint, type ErrorCode, type ErrorHint } from '../core/errors.js';

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
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; hint?: ErrorHint };
}

// What fixes an error, in the REST API's words (the queue's messages name no surface). The body
// also names the hint, so a client that is another surface (`mcp --server`) can say it its own way.
export const REST_HINTS: Partial<Record<ErrorHint, string>> = {
  list_jobs: 'GET /api/queue/jobs lists recent jobs and their ids.',
  force_resume:
    'To resume anyway: POST /api/system/worker-pause with {"paused": false, "force": true, "reason": "…"}.',
};

/** Any thrown value -> status and body; validation `details.issues` stay, for scripts to read. */
export function httpError(err: unknown): { status: number; body: HttpErrorBody } {
  const e = toQueueError(err);
  const body: HttpErrorBody = { error: { code: e.code, message: withHint(e, REST_HINTS) } };
  if (e.details) body.error.details = e.details;
  if (e.hint && REST_HINTS[e.hint]) body.error.hint = e.hint;
  return { status: STATUS[e.code], body };
}

/** How a refusal is written: REST's `{error}` body, or a JSON-RPC error for the MCP endpoints. */
export type ErrorStyle = 'rest' | 'rpc';

/** A JSON-RPC error answered outside any request (id null): /mcp's transport-level refusals. */
export const rpcErrorBody = (code: number, message: string, data?: Record<string, unknown>) => ({
  jsonrpc: '2.0' as const,
  error: { code, message, ...(data ? { data } : {}) },
  id: null,
});

/** Writes an error in the endpoint's style with its HTTP status. */
export function refuse(c: Context, style: ErrorStyle, err: unknown): Response {
  const { status, body } = httpError(err);
  if (style === 'rest') return c.json(body, status as 401);
  // -32600 Invalid Request, as the other transport-level refusals of /mcp; the queue code in data.
  const data = { code: body.error.code, ...body.error.details };
  return c.json(rpcErrorBody(-32600, body.error.message, data), status as 401);
}
