// A queue job as an MCP task (2025-11-25 Tasks utility, the SDK's experimental API): queue_submit
// called with `task` enqueues a job whose task id is an unguessable token stored with it. Every use
// of the experimental API is in this one file, so moving to the later tasks extension is one change.
//
// The task store is the jobs table: any server process on the same queue (another host, after a
// restart) answers tasks/get, tasks/result and tasks/cancel. Tasks are not bound to the MCP session
// that created them; the id is the credential, which is also why tasks/list is not offered.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { callerGone } from './response-stream.js';
import type {
  CreateTaskRequestHandlerExtra,
  TaskRequestHandlerExtra,
  TaskStore,
} from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { CreateTaskResult } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import {
  ErrorCode,
  GetTaskPayloadRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type JSONRPCRequest,
  type ServerCapabilities,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import { newTaskId } from '../core/ids.js';
import { rpcError, type ToolErrorBody } from './errors.js';
import type { Job } from '../core/types.js';
import type { EnqueueInput } from '../queue/schemas.js';
import type { TaskQueueApi } from './queue-api.js';
import { toolConfig, toolHandler, type Extra, type ToolContext, type ToolDef } from './tool.js';
import { withoutPayload } from '../queue/view.js';

type TaskJob = Omit<Job, 'payload'>;

/** Declared tasks capability: task-augmented tools/call and tasks/cancel; not tasks/list. */
export const TASK_CAPABILITIES: ServerCapabilities['tasks'] = {
  requests: { tools: { call: {} } },
  cancel: {},
};

const NOT_FOUND =
  'Task not found: the id is not one queue_submit issued, or its job was pruned after the retention period.';

/**
 * The task a job stands for. A cancel request ends the task at once (tasks/cancel must answer
 * `cancelled`), even though a running job only stops when its worker acknowledges: a task never
 * leaves a terminal status, so the job's own end is read from tasks/result (or queue_wait).
 */
export function taskStatus(job: TaskJob): Task['status'] {
  if (job.cancelRequestedAt !== null || job.status === 'cancelled') return 'cancelled';
  if (job.status === 'succeeded') return 'completed';
  if (job.status === 'failed' || job.status === 'dead_letter') return 'failed';
  return 'working';
}

const isTerminalTask = (s: Task['status']) => s === 'completed' || s === 'failed' || s === 'cancelled';

function statusMessage(job: TaskJob): string {
  switch (taskStatus(job)) {
    case 'cancelled':
      return job.cancelReason ?? `cancelled (job ${job.status})`;
    case 'failed':
      return job.errorMessage ?? job.status;
    case 'completed':
      return job.resultSummary ?? 'succeeded';
    default:
      // The last heartbeat message, else where the job stands.
      return job.progressMessage ?? job.status;
  }
}

function toTask(service: TaskQueueApi, taskId: string, job: TaskJob): Task {
  return {
    taskId,
    status: taskStatus(job),
    statusMessage: statusMessage(job),
    createdAt: job.createdAt,
    lastUpdatedAt: job.updatedAt,
    // A finished job (with its result) is kept for the retention period, then pruned.
    ttl: service.settings.retentionDays * 86_400_000,
    pollInterval: service.settings.emptyRetryAfterSeconds * 1000,
  };
}

/** The task's result: queue_submit's answer, as queue_wait gives it; a failed job is an error result. */
function toResult(job: TaskJob): CallToolResult {
  const answer = { job, done: ['succeeded', 'failed', 'cancelled', 'dead_letter'].includes(job.status) };
  return {
    structuredContent: answer,
    content: [{ type: 'text', text: JSON.stringify(answer) }],
    ...(taskStatus(job) === 'failed' ? { isError: true } : {}),
  };
}

/** The task's job; a queue error (database away) as a JSON-RPC error carrying its code. */
async function jobOf(service: TaskQueueApi, taskId: string): Promise<TaskJob> {
  const job = await service.jobOfTask(taskId).catch((err: unknown) => Promise.reject(rpcError(err)));
  if (!job) throw new McpError(ErrorCode.InvalidParams, NOT_FOUND);
  return withoutPayload(job);
}

/**
 * The SDK's TaskStore over the jobs table. Tasks are created by queue_submit only. `actor` is the
 * session's identity, recorded as who asked to cancel.
 */
export function jobTaskStore(service: TaskQueueApi, actor: () => string): TaskStore {
  const refuse = (message: string) => () => Promise.reject(new McpError(ErrorCode.InvalidRequest, message));
  return {
    createTask: refuse('Tasks are created only by calling queue_submit with `task`.'),
    async getTask(taskId) {
      const job = await service.jobOfTask(taskId).catch((err: unknown) => Promise.reject(rpcError(err)));
      return job ? toTask(service, taskId, withoutPayload(job)) : null;
    },
    // A task's result is its job's, written by the worker that completes it.
    storeTaskResult: refuse("A task's result is its job's: the worker completes the job."),
    async getTaskResult(taskId) {
      return toResult(await jobOf(service, taskId));
    },
    async updateTaskStatus(taskId, status, message) {
      if (status !== 'cancelled')
        throw new McpError(ErrorCode.InvalidRequest, `A task cannot be set ${status}.`);
      const job = await jobOf(service, taskId);
      // Cooperative, as queue_cancel: a queued job ends at once, a running one is told to stop.
      await service
        .cancel({ jobId: job.id, ...(message ? { reason: message } : {}), requestedBy: actor() })
        .catch((err: unknown) => Promise.reject(rpcError(err)));
    },
    listTasks: refuse(
      'tasks/list is not offered: a task id is the credential to its job, and callers are not authenticated. Keep the taskId queue_submit returned.',
    ),
  };
}

/**
 * Registers queue_submit as a task tool (taskSupport "optional"), replaces the SDK's tasks/result
 * (which polls) with one that awaits the job's end as queue_wait does, and answers a call without
 * `task` at once with the queued job (the SDK would poll until the job ended, ignoring the caller).
 */
export function registerSubmitTask(
  server: McpServer,
  def: ToolDef,
  ctx: ToolContext,
  service: TaskQueueApi,
): void {
  const plain = toolHandler(def, ctx);
  const asTask = toolHandler(
    {
      ...def,
      run: async (args) => {
        const taskId = newTaskId();
        // Parsed with queue_submit's input, a subset of enqueue's.
        const input = { ...(args as EnqueueInput), createdBy: ctx.identity() };
        const { job } = await service.enqueue(input, { taskId });
        return { task: toTask(service, taskId, withoutPayload(job)) } satisfies CreateTaskResult;
      },
    },
    ctx,
  );
  // A task-augmented call must answer a task or a JSON-RPC error (the SDK would turn a refusal into
  // an `isError` tool result, which is neither): our code travels in the error's `data`.
  const createTask = async (args: unknown, extra: Extra): Promise<CreateTaskResult> => {
    const answer = await asTask(args, extra);
    if (answer.isError) throw refusal((answer.content[0] as { text: string }).text);
    return answer.structuredContent as CreateTaskResult;
  };
  const name = ctx.name(def.base);
  server.experimental.tasks.registerToolTask(
    name,
    { ...toolConfig(def, ctx), execution: { taskSupport: 'optional' } },
    {
      createTask: (args: unknown, extra: CreateTaskRequestHandlerExtra) => createTask(args, extra),
      getTask: (_args: unknown, extra: TaskRequestHandlerExtra) => toTaskOrThrow(service, extra.taskId),
      getTaskResult: async (_args: unknown, extra: TaskRequestHandlerExtra) =>
        toResult(await jobOf(service, extra.taskId)),
    },
  );
  routeSubmitCalls(server, name, plain, createTask);

  server.server.setRequestHandler(GetTaskPayloadRequestSchema, (request, extra) =>
    ctx.inFlight.track(
      // Unlike queue_wait (≤ 50 s), this wait has no end of its own: it must end with its HTTP stream,
      // or a client gone without a cancel would keep its session busy, never idle, never evicted.
      ctx.inFlight.withSignal(callerGone(extra), async (signal) => {
        const { taskId } = request.params;
        let job = await jobOf(service, taskId);
        while (!isTerminalTask(taskStatus(job))) {
          if (signal.aborted) {
            throw new McpError(
              ErrorCode.InternalError,
              'The request ended before the task did (stream closed or session closing): call tasks/result again.',
            );
          }
          ({ job } = await service.wait(
            { jobId: job.id },
            { signal, until: (j) => j.cancelRequestedAt !== null },
          ));
        }
        const result = toResult(job);
        return { ...result, _meta: { [RELATED_TASK_META_KEY]: { taskId } } };
      }),
    ),
  );
}

async function toTaskOrThrow(service: TaskQueueApi, taskId: string): Promise<Task> {
  return toTask(service, taskId, await jobOf(service, taskId));
}

type Handler = (request: JSONRPCRequest, extra: Extra) => Promise<unknown>;

/**
 * Routes tools/call of this tool to our handlers: without `task` to `plain` (the SDK would poll until
 * the job ended, deaf to the caller leaving), with `task` to `createTask` (whose refusals the SDK
 * would reshape). The SDK keeps its handlers in a private map (as call-tool.ts knows); if an upgrade
 * moves it, this throws at startup.
 */
function routeSubmitCalls(
  server: McpServer,
  name: string,
  plain: (args: unknown, extra: Extra) => Promise<CallToolResult>,
  createTask: (args: unknown, extra: Extra) => Promise<CreateTaskResult>,
): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, Handler> })._requestHandlers;
  const sdkHandler = handlers?.get('tools/call');
  if (!handlers || !sdkHandler) {
    throw new Error('The MCP SDK no longer keeps its tools/call handler where src/mcp/tasks.ts wraps it.');
  }
  handlers.set('tools/call', (request, extra) => {
    const params = request.params as { name?: unknown; arguments?: unknown; task?: unknown } | undefined;
    if (params?.name !== name) return sdkHandler(request, extra);
    const args = params.arguments ?? {};
    return params.task === undefined ? plain(args, extra) : createTask(args, extra);
  });
}

/** Our error body (or the SDK's own text) as a JSON-RPC error with the queue code in `data`. */
function refusal(text: string): McpError {
  try {
    const { error } = JSON.parse(text) as ToolErrorBody;
    return new McpError(ErrorCode.InvalidParams, error.message, { code: error.code });
  } catch {
    return new McpError(ErrorCode.InvalidParams, text);
  }
}
