// The queue as the MCP server sees it: exactly the calls its tools, resources and in-flight undo
// make. QueueService (the database, in this process) and RemoteQueue (a remote serve's REST API)
// both satisfy it, so one MCP server serves either way. MCP tasks need more (TaskQueueApi): the
// jobs table looked up by task id, which only the direct database offers.
import type { JobPage } from '../core/types.js';
import type { PauseControl } from '../queue/control.js';
import type * as S from '../queue/schemas.js';
import type { QueueService, WaitOptions } from '../queue/service.js';

export type QueueApi = Pick<
  QueueService,
  | 'enqueue'
  | 'enqueueGraph'
  | 'claim'
  | 'heartbeat'
  | 'complete'
  | 'fail'
  | 'ackCancel'
  | 'release'
  | 'held'
  | 'cancel'
  | 'get'
> & {
  // Not picked: the service's overloads (full pages) and `until` are used by nobody here but tasks.
  list(input?: S.ListInput): Promise<JobPage>;
  wait(input: S.WaitInput, opts?: Omit<WaitOptions, 'until'>): ReturnType<QueueService['wait']>;
  control: Pick<PauseControl, 'pause' | 'resume' | 'status'>;
};

/** What queue_submit as an MCP task needs beyond the tools: see tasks.ts. */
// wait with `until`: a task's result waits for the job's end or its cancel request.
export type TaskQueueApi = Omit<QueueApi, 'wait'> & Pick<QueueService, 'jobOfTask' | 'settings' | 'wait'>;

/** Whether this queue can answer for MCP tasks (the direct database can; a remote serve cannot). */
export function supportsTasks(queue: QueueApi): queue is TaskQueueApi {
  return typeof (queue as Partial<TaskQueueApi>).jobOfTask === 'function';
}
