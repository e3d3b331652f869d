// The MCP server's queue (QueueApi) is satisfied by both the in-process service and the REST client
// of a remote serve; only the service can answer for MCP tasks. Checked by the compiler (tsc runs
// over tests) and, for the task support the server decides at runtime, here.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { McpRemoteQueue } from '../../src/client/mcp-remote-queue.js';
import { RemoteQueue } from '../../src/client/remote-queue.js';
import { supportsTasks, type QueueApi, type TaskQueueApi } from '../../src/mcp/queue-api.js';
import type { QueueService } from '../../src/queue/service.js';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';

describe('QueueApi', () => {
  it('is satisfied by QueueService, RemoteQueue and McpRemoteQueue; tasks need the service', () => {
    expectTypeOf<QueueService>().toExtend<QueueApi>();
    expectTypeOf<QueueService>().toExtend<TaskQueueApi>();
    expectTypeOf<RemoteQueue>().toExtend<QueueApi>();
    expectTypeOf<McpRemoteQueue>().toExtend<QueueApi>();
    expectTypeOf<RemoteQueue>().not.toExtend<TaskQueueApi>();
    const remote = new McpRemoteQueue({ server: 'http://127.0.0.1:9' }) satisfies QueueApi;
    expect(supportsTasks(remote)).toBe(false);
  });
});

describe.each(backendsForSuite())('QueueApi over the database ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));
  it('the service supports MCP tasks', () => {
    expect(supportsTasks(q.service satisfies QueueApi)).toBe(true);
  });
});
