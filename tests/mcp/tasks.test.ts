// queue_submit as an MCP task across separate server processes sharing one database (a PostgreSQL
// schema, or one SQLite file): the task store is the jobs table, so a task created in one process is
// answered by any other, even after the first one exited.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateTaskResultSchema } from '@modelcontextprotocol/sdk/experimental/tasks/types.js';
import {
  CallToolResultSchema,
  CancelTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  McpError,
  RELATED_TASK_META_KEY,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

interface WaitBody {
  job: Job;
  done: boolean;
}

const submitTask = (client: Client, args: Record<string, unknown>) =>
  client.request(
    { method: 'tools/call', params: { name: 'queue_submit', arguments: args, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
  );
const getTask = (client: Client, taskId: string) =>
  client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
const taskResult = (client: Client, taskId: string) =>
  client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema, { timeout: 50_000 });

describe.each(backendsForSuite())('MCP tasks: queue_submit ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'a worker in another process completes the job; tasks/result returns its result; a third process reads the task',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [submitter, worker] = await Promise.all([
        h.stdio(['--tools', 'producer']),
        h.stdio(['--tools', 'worker']),
      ]);
      expect(submitter.getServerCapabilities()?.tasks).toEqual({
        requests: { tools: { call: {} } },
        cancel: {},
      });

      const { task } = await submitTask(submitter, { type: 'delegate.me', payload: { q: 1 } });
      expect(task).toMatchObject({ status: 'working', pollInterval: 5000, ttl: 14 * 86_400_000 });
      // The task id is a token of its own, not the job id.
      expect(task.taskId).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // tasks/result blocks until the job ends: attach it first, then let the worker finish.
      const result = taskResult(submitter, task.taskId);
      const claim = await ok<ClaimAnswer>(worker, 'queue_claim', { types: ['delegate.me'] });
      expect(claim.job!.payload).toEqual({ q: 1 });
      await ok(worker, 'queue_heartbeat', {
        jobId: claim.job!.id,
        leaseToken: claim.lease!.token,
        message: 'half way',
      });
      expect(await getTask(submitter, task.taskId)).toMatchObject({
        status: 'working',
        statusMessage: 'half way',
      });
      await ok(worker, 'queue_complete', {
        jobId: claim.job!.id,
        leaseToken: claim.lease!.token,
        result: { answer: 42 },
        resultSummary: 'answered',
      });
      const answer = await result;
      expect(answer.isError).toBeFalsy();
      const body = answer.structuredContent as unknown as WaitBody;
      expect(body).toMatchObject({
        done: true,
        job: { id: claim.job!.id, status: 'succeeded', result: { answer: 42 } },
      });
      expect(answer._meta?.[RELATED_TASK_META_KEY]).toEqual({ taskId: task.taskId });
      // Nor the job shows its task id: only the submitter holds it.
      expect(JSON.stringify(body)).not.toContain(task.taskId);

      await submitter.close();
      const third = await h.stdio(['--tools', 'producer']);
      expect(await getTask(third, task.taskId)).toMatchObject({
        taskId: task.taskId,
        status: 'completed',
        statusMessage: 'answered',
      });
      const again = await taskResult(third, task.taskId);
      expect(again.structuredContent).toMatchObject({ job: { result: { answer: 42 } } });
    },
  );

  it(
    'tasks/cancel is the cooperative cancel: a running job gets a cancel request, a queued one ends',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [submitter, worker] = await Promise.all([
        h.stdio(['--tools', 'producer']),
        h.stdio(['--tools', 'worker']),
      ]);
      const running = (await submitTask(submitter, { type: 'long.one' })).task;
      const queued = (await submitTask(submitter, { type: 'never.claimed' })).task;
      const claim = await ok<ClaimAnswer>(worker, 'queue_claim', { types: ['long.one'] });

      const cancelled = await submitter.request(
        { method: 'tasks/cancel', params: { taskId: running.taskId } },
        CancelTaskResultSchema,
      );
      expect(cancelled.status).toBe('cancelled');
      const beat = await ok<{ action: string }>(worker, 'queue_heartbeat', {
        jobId: claim.job!.id,
        leaseToken: claim.lease!.token,
      });
      expect(beat.action).toBe('cancel');
      // The task ended at the request; its result shows the job as it stands (still stopping).
      const stopping = await taskResult(submitter, running.taskId);
      expect(stopping.structuredContent).toMatchObject({ done: false, job: { status: 'running' } });

      await submitter.request(
        { method: 'tasks/cancel', params: { taskId: queued.taskId } },
        CancelTaskResultSchema,
      );
      const ended = await taskResult(submitter, queued.taskId);
      expect(ended.structuredContent).toMatchObject({ done: true, job: { status: 'cancelled' } });
      // A terminal task cannot be cancelled again (the SDK answers -32602).
      await expect(
        submitter.request(
          { method: 'tasks/cancel', params: { taskId: queued.taskId } },
          CancelTaskResultSchema,
        ),
      ).rejects.toThrow(/terminal status/);
    },
  );

  it(
    'without a task, queue_submit answers the queued job at once; tasks/list and unknown ids are refused',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const plain = await ok<WaitBody>(client, 'queue_submit', { type: 'no.task', payload: { a: 1 } });
      expect(plain).toMatchObject({ done: false, job: { status: 'queued', type: 'no.task' } });
      expect(plain.job).not.toHaveProperty('payload');
      // Bad input: the coded tool error without a task; with one, a JSON-RPC error carrying the code.
      const bad = await call(client, 'queue_submit', { type: 'Bad Type' });
      expect(bad).toMatchObject({ isError: true, body: { error: { code: 'invalid_argument' } } });
      const refused = await submitTask(client, { type: 'Bad Type' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(McpError);
      expect(refused).toMatchObject({ code: -32602, data: { code: 'invalid_argument' } });
      await expect(
        client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema),
      ).rejects.toThrow(/tasks\/list is not offered/);
      await expect(getTask(client, 'not-a-task')).rejects.toThrow(/Task not found/);
      await expect(taskResult(client, plain.job.id)).rejects.toThrow(/Task not found/);
    },
  );

  it(
    'over Streamable HTTP (serve) too: a task submitted there is cancelled from a stdio process',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const served = await h.serve();
      const { client } = await h.http(served.base);
      const { task } = await submitTask(client, { type: 'over.http' });
      expect(task.status).toBe('working');
      const stdio = await h.stdio(['--tools', 'producer']);
      await stdio.request(
        { method: 'tasks/cancel', params: { taskId: task.taskId } },
        CancelTaskResultSchema,
      );
      expect(await getTask(client, task.taskId)).toMatchObject({ status: 'cancelled' });
    },
  );

  it('the worker profile offers no tasks', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const worker = await h.stdio(['--tools', 'worker']);
    expect(worker.getServerCapabilities()?.tasks).toBeUndefined();
  });
});
