// The one place where queue errors become MCP answers. Tools answer `isError: true` with
// `{error: {code, message}}` as text; resources and prompts raise JSON-RPC errors.
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toQueueError, withHint, type ErrorCode as QueueErrorCode, type ErrorHint } from '../core/errors.js';
import type { ToolBase } from './profiles.js';

export interface ToolErrorBody {
  error: { code: QueueErrorCode; message: string; details?: Record<string, unknown> };
  [extra: string]: unknown;
}

// MCP spec: -32002 is "resource not found".
const RESOURCE_NOT_FOUND = -32002;

// JSON-RPC code per queue code, for surfaces that cannot answer with a tool result.
const RPC_CODES: Record<QueueErrorCode, number> = {
  not_found: RESOURCE_NOT_FOUND,
  invalid_argument: ErrorCode.InvalidParams,
  lease_lost: ErrorCode.InvalidRequest,
  job_state_conflict: ErrorCode.InvalidRequest,
  workers_paused: ErrorCode.InvalidRequest,
  unauthorized: ErrorCode.InvalidRequest,
  forbidden: ErrorCode.InvalidRequest,
  payload_too_large: ErrorCode.InvalidParams,
  unavailable: ErrorCode.InternalError,
  internal: ErrorCode.InternalError,
};

export type Hints = Partial<Record<ErrorHint, string>>;

/**
 * What fixes an error, said in this server's words (the queue's messages name no surface): the
 * tool names it really registered, under its naming style, and only tools it exposes.
 */
export function toolHints(name: (base: ToolBase) => string, has: (base: ToolBase) => boolean): Hints {
  return {
    ...(has('list') ? { list_jobs: `${name('list')} shows the ids of recent jobs.` } : {}),
    claim_scope: "The scope is set by this server's --types flag or AGENT_QUEUE_TYPES.",
  };
}

/** Any thrown value -> the stable error body. Unknown errors are `internal`: a bug, not worth retrying. */
export function errorBody(err: unknown, hints: Hints = {}): ToolErrorBody {
  const e = toQueueError(err);
  // Validation issues repeat what the message already says; an agent only pays for them in tokens.
  const { issues: _issues, ...details } = e.details ?? {};
  const facts = Object.keys(details).length > 0 ? { details } : {};
  return { error: { code: e.code, message: withHint(e, hints), ...facts } };
}

/**
 * The error as a tool result. Only text content: a client validates `structuredContent` against the
 * tool's output schema even on errors, and the error body is not the success shape.
 */
export function toolError(body: ToolErrorBody): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** For resources: a JSON-RPC error carrying the queue code in `data`. */
export function rpcError(err: unknown): McpError {
  const { error } = errorBody(err);
  return new McpError(RPC_CODES[error.code], error.message, { code: error.code });
}
