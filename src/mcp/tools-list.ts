// The tools/list answer, built by us from each tool's zod shapes (json-schema.ts) instead of the
// SDK's draft-07 conversion, and without fields that only restate an MCP default. The SDK keeps
// validating calls and answers against the zod schemas it was given; this changes what hosts read.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Tool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { toolJsonSchema } from './json-schema.js';
import type { Profile } from './profiles.js';
import { wrapSdkHandler } from './sdk-handlers.js';
import type { ToolContext, ToolDef } from './tool.js';

/**
 * Most bytes the tools/list result (the JSON-RPC `result`, as sent) may take per profile: the
 * worker's is in the context of every worker agent. tests/mcp/schemas.test.ts fails past them;
 * bench/tools-list-size.mjs prints them next to the sizes. Producer and all grew by 512 B each
 * (2026-11-24), deliberately: dependsOn, a graph in one call and concurrency keys are what
 * producers asked for, and no further trimming of the listing saved as much without losing meaning.
 */
export const TOOLS_LIST_BUDGETS = { worker: 4096, producer: 4608, all: 8704 } as const satisfies Partial<
  Record<Profile, number>
>;

// By exposed name: it fixes the naming style, the only thing a listing depends on besides the tool.
// HTTP builds a server per session; the schemas are built once per process.
const built = new Map<string, Tool>();

/** What a host reads for one tool. */
export function toolListing(def: ToolDef, name: ToolContext['name']): Tool {
  const key = name(def.base);
  const cached = built.get(key);
  if (cached) return cached;
  const tool: Tool = {
    name: name(def.base),
    description: def.description(name),
    inputSchema: toolJsonSchema(def.input, 'input') as Tool['inputSchema'],
    outputSchema: toolJsonSchema(def.output, 'output') as Tool['outputSchema'],
    annotations: leanAnnotations({ ...def.annotations, openWorldHint: false }),
  };
  built.set(key, tool);
  return tool;
}

/**
 * Hints equal to MCP's defaults (readOnly false, destructive true, idempotent false, openWorld
 * true) are left out, and so are destructive/idempotent on a read-only tool, where MCP says they
 * mean nothing. A host reading the answer with the defaults applied sees the same hints.
 */
export function leanAnnotations(a: ToolAnnotations): ToolAnnotations {
  const out: ToolAnnotations = {};
  if (a.title !== undefined) out.title = a.title;
  if (a.readOnlyHint === true) out.readOnlyHint = true;
  else {
    if (a.destructiveHint === false) out.destructiveHint = false;
    if (a.idempotentHint === true) out.idempotentHint = true;
  }
  if (a.openWorldHint === false) out.openWorldHint = false;
  return out;
}

/**
 * Serves tools/list from `listings` (exposed name → entry). The SDK's own answer still decides
 * which tools are listed and in what order; a tool we have no entry for passes through as the SDK
 * built it. `execution` stays only where it is not MCP's default (`taskSupport: "forbidden"`).
 */
export function serveToolsList(server: McpServer, listings: ReadonlyMap<string, Tool>): void {
  wrapSdkHandler(server, 'tools/list', async (sdkHandler, request, extra) => {
    const answer = (await sdkHandler(request, extra)) as { tools: Tool[] };
    return {
      ...answer,
      tools: answer.tools.map((sdkTool) => {
        const ours = listings.get(sdkTool.name);
        if (!ours) return sdkTool;
        const task = sdkTool.execution?.taskSupport;
        return task && task !== 'forbidden' ? { ...ours, execution: sdkTool.execution } : ours;
      }),
    };
  });
}
