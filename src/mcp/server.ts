// createServer(service, options): one McpServer per MCP session (stdio has one; HTTP one per client).
// Transports stay thin: they connect the server, and call close() when the session ends. Claims
// without a lease get the service's default (queue.defaultLeaseSeconds, the --lease flag).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { supportsTasks, type QueueApi } from './queue-api.js';
import type { McpSettings, WorkerSettings } from '../settings/types.js';
import { guardToolCalls } from './call-tool.js';
import { sessionIdentity } from './identity.js';
import { InFlight } from './in-flight.js';
import { PROFILES, toolName, toolsFor, type ToolBase } from './profiles.js';
import type { Principal } from '../queue/permissions.js';
import { instructions, registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { jobTaskStore, registerSubmitTask, TASK_CAPABILITIES } from './tasks.js';
import { registerTool, type RemoteMode, type ToolContext } from './tool.js';
import { toolHints } from './errors.js';
import { TOOLS } from './tools/index.js';
import { serveToolsList, toolListing } from './tools-list.js';
import { scopedQueue } from './scoped-queue.js';
import { packageVersion } from '../core/version.js';

export interface CreateServerOptions {
  mcp: McpSettings;
  worker: WorkerSettings;
  log?: Logger | undefined;
  /** 'http' when sessions of many clients share this server (`serve`); default 'stdio'. */
  transport?: ToolContext['transport'];
  /**
   * The bearer token's caller (serve with tokens on): the session claims as the token's name, sees
   * only its role's tools, and claims within the token's types and capabilities. null/absent: none.
   */
  principal?: Principal | null | undefined;
  /** The transport reports whether each answer was handed over (stdio): see InFlight.delivered. */
  reportsDelivery?: boolean;
  /**
   * The queue is a remote serve's REST API (`agent-queue mcp --server`). The server there decides
   * what a token may do; this one keeps its profile's tools (see docs/mcp.md, "Through a remote serve").
   */
  remote?: RemoteMode | undefined;
  /** The named queue this server works in (--queue): every call keeps to it (scoped-queue.ts). */
  queue?: string | undefined;
}

export interface QueueMcpServer {
  server: McpServer;
  /** This session's worker id (derived on first use unless fixed by options). */
  identity(): string;
  /** The transport's report on the answer to a request: a claim whose answer was not delivered is released. */
  delivered(id: RequestId, ok: boolean): void;
  /** The caller is gone (e.g. stdin ended): long-polls stop now and what they claim is released. */
  stop(why: string): void;
  close(): Promise<void>;
}

export function createServer(api: QueueApi, options: CreateServerOptions): QueueMcpServer {
  const service = options.queue === undefined ? api : scopedQueue(api, options.queue);
  const principal = options.principal ?? undefined;
  // A task is found by its id in the jobs table, which only the direct database can search: through
  // a remote serve queue_submit is a plain tool and the tasks capability is not declared.
  const taskQueue = supportsTasks(service) ? service : null;
  // A token's role narrows the server's profile: tools it may not use are not shown at all.
  const bases: readonly ToolBase[] = principal
    ? toolsFor(principal.role, PROFILES[options.mcp.tools])
    : PROFILES[options.mcp.tools];
  const has = (base: ToolBase) => bases.includes(base);
  const tasks = taskQueue !== null && has('submit');
  const name = (base: ToolBase) => toolName(options.mcp.toolNames, base);
  const server = new McpServer(
    { name: 'agent-queue', title: 'agent-queue', version: packageVersion() },
    {
      instructions: instructions(name, has),
      capabilities: {
        tools: {},
        resources: {},
        ...(has('claim') ? { prompts: {} } : {}),
        ...(tasks ? { tasks: TASK_CAPABILITIES } : {}),
      },
      // The task store is the jobs table (tasks.ts): any process on the queue answers for a task.
      ...(tasks ? { taskStore: jobTaskStore(taskQueue, () => identity()) } : {}),
    },
  );
  const identity = sessionIdentity(server, principal?.name ?? options.worker.id);
  const inFlight = new InFlight(options.reportsDelivery ?? false);
  const ctx: ToolContext = {
    service,
    worker: options.worker,
    identity,
    name,
    hints: toolHints(name, has),
    transport: options.transport ?? 'stdio',
    log: options.log,
    inFlight,
    ...(principal ? { principal } : {}),
    ...(options.remote ? { remote: options.remote } : {}),
    adoptIdentity: (id) => identity.adopt(id),
  };
  for (const base of bases) {
    if (base === 'submit' && tasks) registerSubmitTask(server, TOOLS[base], ctx, taskQueue);
    else registerTool(server, TOOLS[base], ctx);
  }
  guardToolCalls(server, bases.map(name));
  serveToolsList(server, new Map(bases.map((base) => [name(base), toolListing(TOOLS[base], name)])));
  if (has('claim')) registerPrompts(server, name);
  registerResources(server, service);
  // Registering declares `listChanged: true` for tools, resources and prompts, but a session's lists
  // never change and no list_changed notification is ever sent: declare only what is sent.
  server.server.registerCapabilities({
    tools: { listChanged: false },
    resources: { listChanged: false },
    ...(has('claim') ? { prompts: { listChanged: false } } : {}),
  });
  return {
    server,
    identity,
    delivered: (id, ok) => inFlight.delivered(id, ok),
    stop: (why) => inFlight.stop(why),
    async close() {
      // Answer what is in flight (long-polls answer `wait`) before the transport goes away.
      await inFlight.drain();
      await server.close();
    },
  };
}
