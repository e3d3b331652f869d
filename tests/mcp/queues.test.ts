// Queue scoping through real MCP server processes (docs/queues.md): two stdio servers on one database,
// each started with its own AGENT_QUEUE_QUEUE, as two projects' hosts would be. Each enqueues and
// claims only in its queue, lists and counts only its jobs, and a job of the other queue does not
// exist for it (get, cancel, wait: not_found). No tool takes a `queue` argument to reach past it.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job, JobPage, StatusAnswer } from '../../src/core/types.js';
import type { PauseAnswer } from '../../src/queue/control.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP servers scoped to a named queue ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    "each server enqueues, claims, lists and counts only its own queue's jobs",
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [acme, globex, unscoped] = await Promise.all([
        h.stdio([], { AGENT_QUEUE_QUEUE: 'acme' }),
        h.stdio([], { AGENT_QUEUE_QUEUE: 'globex' }),
        h.stdio([]),
      ]);
      const a = await ok<{ job: Job }>(acme, 'queue_enqueue', { type: 'build', payload: { p: 'acme' } });
      expect(a.job.queue).toBe('acme');
      const g = await ok<{ job: Job }>(globex, 'queue_enqueue', { type: 'build', priority: 100 });
      expect(g.job.queue).toBe('globex');
      const d = await ok<{ job: Job }>(unscoped, 'queue_enqueue', { type: 'build' });
      expect(d.job.queue).toBe('default');

      // globex's job has the higher priority: acme's server still only ever gets its own.
      const claimed = await ok<ClaimAnswer>(acme, 'queue_claim');
      expect(claimed.job).toMatchObject({ id: a.job.id, queue: 'acme' });
      expect((await ok<ClaimAnswer>(acme, 'queue_claim')).job).toBeNull();
      expect((await ok<ClaimAnswer>(unscoped, 'queue_claim')).job?.id).toBe(d.job.id);

      const listed = await ok<JobPage>(globex, 'queue_list');
      expect(listed.jobs.map((j) => j.id)).toEqual([g.job.id]);
      const status = await ok<StatusAnswer>(globex, 'queue_status');
      expect(status.metrics).toMatchObject({ queued: 1, running: 0 });
      // Unscoped, reads span every queue.
      expect((await ok<JobPage>(unscoped, 'queue_list')).jobs).toHaveLength(3);
      expect((await ok<ClaimAnswer>(globex, 'queue_claim')).job?.id).toBe(g.job.id);
    },
  );

  it(
    'a job of the other queue is not_found for get, cancel and wait; a queue argument is refused',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [acme, globex] = await Promise.all([
        h.stdio([], { AGENT_QUEUE_QUEUE: 'acme' }),
        h.stdio([], { AGENT_QUEUE_QUEUE: 'globex' }),
      ]);
      const { job } = await ok<{ job: Job }>(acme, 'queue_enqueue', { type: 'build' });
      for (const [tool, args] of [
        ['queue_get', { jobId: job.id }],
        ['queue_cancel', { jobId: job.id }],
        ['queue_wait', { jobId: job.id, waitSeconds: 0 }],
      ] as const) {
        const answer = await call<{ error: { code: string } }>(globex, tool, args);
        expect(answer.isError, tool).toBe(true);
        expect(answer.body.error.code, tool).toBe('not_found');
      }
      // Scoping cannot be escaped with an argument: no tool has one.
      for (const [tool, args] of [
        ['queue_enqueue', { type: 'build', queue: 'acme' }],
        ['queue_claim', { queue: 'acme' }],
        ['queue_list', { queue: 'acme' }],
        ['queue_get', { jobId: job.id, queue: 'acme' }],
      ] as const) {
        const answer = await call<{ error: { code: string } }>(globex, tool, args);
        expect(answer.isError, tool).toBe(true);
        expect(answer.body.error.code, tool).toBe('invalid_argument');
      }
      const { tools } = await globex.listTools();
      for (const tool of tools)
        expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain('queue');

      expect((await ok<{ job: Job }>(acme, 'queue_get', { jobId: job.id })).job.status).toBe('queued');
      expect((await ok<{ job: Job }>(acme, 'queue_cancel', { jobId: job.id })).job.status).toBe('cancelled');
    },
  );

  it(
    "a scoped server's pause and resume are its queue's: the other queue keeps claiming",
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [acme, globex] = await Promise.all([
        h.stdio([], { AGENT_QUEUE_QUEUE: 'acme' }),
        h.stdio([], { AGENT_QUEUE_QUEUE: 'globex' }),
      ]);
      await ok(acme, 'queue_enqueue', { type: 'build' });
      const { job } = await ok<{ job: Job }>(globex, 'queue_enqueue', { type: 'build' });
      const paused = await ok<PauseAnswer>(acme, 'queue_pause', { mode: 'drain', reason: 'acme deploy' });
      expect(paused.system).toMatchObject({ workersPaused: true, scope: 'queue', queue: 'acme' });

      const refused = await ok<ClaimAnswer>(acme, 'queue_claim');
      expect(refused).toMatchObject({ job: null, action: 'wait', system: { scope: 'queue', queue: 'acme' } });
      const taken = await ok<ClaimAnswer>(globex, 'queue_claim');
      expect(taken.job?.id).toBe(job.id);
      expect(taken.system).toMatchObject({ workersPaused: false, scope: 'fleet' });

      await ok(acme, 'queue_resume', { reason: 'deployed' });
      expect((await ok<ClaimAnswer>(acme, 'queue_claim')).action).toBe('work');
    },
  );
});
