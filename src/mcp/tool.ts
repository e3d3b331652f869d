// What one tool file declares, and how the server turns it into an MCP tool: lenient input schema
// (see schema.ts), output schema, annotations, structuredContent plus the same JSON as text, and
// errors as `isError` results.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { QueueApi } from './queue-api.js';
import type { WorkerSettings } from '../settings/types.js';
import type { Principal } from '../queue/permissions.js';
import { parseInput } from '../queue/validate.js';
import { errorBody, toolError, type Hints } from './errors.js';
import type { InFlight } from './in-flight.js';
import type { ToolBase } from './profiles.js';
import { lenient } from './schema.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  /** The database in this process, or a remote serve's REST API (`agent-queue mcp --server`). */
  service: QueueApi;
  /** Who this server claims as: fixed id, capabilities, the job types it may take. */
  worker: WorkerSettings;
  /** This session's worker id; also the actor recorded on enqueue, cancel, pause and resume. */
  identity(): string;
  /** The exposed name of a tool, for descriptions that point at each other. */
  name(base: ToolBase): string;
  /** How this server words the fix of an error (toolHints). */
  hints: Hints;
  /**
   * 'http' under `serve`: one process serves many agents, so a fixed worker id (--worker-id) is
   * shared by all their sessions, not one agent's own.
   */
  transport: 'stdio' | 'http';
  log?: Logger | undefined;
  /** This session's calls in flight; `closing` is aborted when the session shuts down. */
  inFlight: InFlight;
  /** The bearer token's caller under serve with tokens on: `identity()` is then the token's name. */
  principal?: Principal;
  /** Set when the queue is a remote serve (CreateServerOptions.remote). */
  remote?: RemoteMode;
  /** Takes the name the remote serve claims as (its answers say it) as this session's identity. */
  adoptIdentity(name: string): void;
}

/** `agent-queue mcp --server`: `token` says whether a bearer token names this caller there. */
export interface RemoteMode {
  token: boolean;
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  base: ToolBase;
  description(name: ToolContext['name']): string;
  input: I;
  output: O;
  annotations: Required<Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint'>>;
  /** Holds a lease: a `lease_lost` error also carries `action` and `system`, like a heartbeat answer. */
  leaseBound?: boolean;
  run(args: z.output<z.ZodObject<I>>, ctx: ToolContext, extra: Extra): Promise<object>;
}

/** Identity function that keeps the input type flowing into `run`. */
export const defineTool = <I extends z.ZodRawShape, O extends z.ZodRawShape>(
  def: ToolDef<I, O>,
): ToolDef<I, O> => def;

/** The SDK's view of a tool: description, lenient input schema, output schema, annotations. */
export function toolConfig(def: ToolDef, ctx: ToolContext) {
  return {
    description: def.description(ctx.name),
    inputSchema: lenient(def.input),
    outputSchema: z.looseObject(def.output),
    annotations: { ...def.annotations, openWorldHint: false },
  };
}

export function registerTool(server: McpServer, def: ToolDef, ctx: ToolContext): void {
  server.registerTool(ctx.name(def.base), toolConfig(def, ctx), toolHandler(def, ctx) as never);
}

/** Runs one call of the tool: the answer as structuredContent plus text, or the error as a tool error. */
export function toolHandler(def: ToolDef, ctx: ToolContext) {
  const name = ctx.name(def.base);
  const strict = z.strictObject(def.input);
  const handler = (args: unknown, extra: Extra): Promise<CallToolResult> =>
    ctx.inFlight.track(answer(args, extra));
  const answer = async (args: unknown, extra: Extra): Promise<CallToolResult> => {
    try {
      // The same shared schema the service applies; parsed here so `run` gets typed, valid input.
      const input = parseInput(strict, args, def.base);
      const answer = (await def.run(input, ctx, extra)) as Record<string, unknown>;
      return { structuredContent: answer, content: [{ type: 'text', text: JSON.stringify(answer) }] };
    } catch (err) {
      const body = errorBody(err, ctx.hints);
      // The service puts `action` and `system` on lease loss; agents read them at the top level.
      if (def.leaseBound && body.error.code === 'lease_lost' && body.error.details) {
        const { system, action: _action, ...rest } = body.error.details;
        body.action = 'lease_lost';
        body.system = system;
        body.error.details = rest;
      }
      if (body.error.code === 'internal') {
        // Message and stack only: driver errors carry row values (e.g. a unique key) in their details.
        const e = err as { message?: unknown; stack?: unknown; code?: unknown };
        ctx.log?.warn(
          { tool: name, err: { message: e.message, code: e.code, stack: e.stack } },
          'tool call failed',
        );
      } else if (body.error.code === 'unavailable') {
        // Expected during an outage, and the lifecycle already logs it once: no stack per call.
        ctx.log?.info(
          { tool: name, code: body.error.code },
          'tool call failed: queue unavailable (database or remote serve)',
        );
      } else ctx.log?.debug({ tool: name, code: body.error.code }, 'tool call refused');
      return toolError(body);
    }
  };
  return handler;
}
