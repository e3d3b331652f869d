// tools/call refusals as JSON-RPC errors. MCP wants -32602 (Invalid params) for an unknown tool and
// for a malformed call; the SDK answers an unknown tool with an `isError` text that is not our
// `{"error":{code}}` shape, and a call without `name` (or with `arguments` that is not an object)
// with -32603 and a raw zod dump. We check the call first and hand a sound one to the SDK's own
// handler unchanged, so its task, input and output handling stay as they are.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { echo } from '../core/echo.js';
import { wrapSdkHandler } from './sdk-handlers.js';

/** Most tool names an unknown-tool error lists (the `all` profile has more). */
const MAX_LISTED_TOOLS = 8;
/** How much of the SDK's own validation text a refusal repeats. */
const MAX_ISSUE_TEXT = 200;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string): McpError =>
  new McpError(ErrorCode.InvalidParams, message, { code: 'invalid_argument' });

/** Why this tools/call cannot be served, or null when the SDK may take it. */
export function callProblem(params: unknown, offered: readonly string[]): string | null {
  const listed = offered.slice(0, MAX_LISTED_TOOLS).join(', ');
  const more = offered.length > MAX_LISTED_TOOLS ? ` and ${offered.length - MAX_LISTED_TOOLS} more` : '';
  const tools = `This server offers ${listed}${more}; tools/list describes them.`;
  if (!isObject(params)) return `tools/call needs params {"name", "arguments"}. ${tools}`;
  const { name, arguments: args } = params;
  if (typeof name !== 'string' || name === '') return `tools/call needs "name", the tool to call. ${tools}`;
  if (!offered.includes(name)) return `Unknown tool "${echo(name)}". ${tools}`;
  if (args !== undefined && !isObject(args))
    return `"arguments" of ${name} must be a JSON object of its named arguments, such as {}.`;
  return null;
}

/**
 * Wraps the tools/call handler the SDK registered, after every tool is registered (sdk-handlers.ts:
 * setRequestHandler would re-parse the call with the SDK's schema before our check ever ran).
 */
export function guardToolCalls(server: McpServer, offered: readonly string[]): void {
  wrapSdkHandler(server, 'tools/call', async (sdkHandler, request, extra) => {
    const problem = callProblem(request.params, offered);
    if (problem) throw invalid(problem);
    try {
      return await sdkHandler(request, extra);
    } catch (err) {
      // The SDK's schema refused another part of the call (`_meta`, `task`): short, and still -32602.
      // (A zod error, told by its `issues`: its class name differs between zod builds.)
      if (!Array.isArray((err as { issues?: unknown } | null)?.issues)) throw err;
      throw invalid(`Invalid tools/call request: ${echo((err as Error).message, MAX_ISSUE_TEXT)}`);
    }
  });
}
