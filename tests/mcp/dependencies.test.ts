// An agent decomposes work in one queue_enqueue call: a graph of jobs with local refs, run in
// dependency order; queue_get with dependencies shows what the jobs it waited for produced.
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClaimAnswer, DependencyView, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

type Graph = { jobs: { ref: string; job: Job; deduplicated: boolean }[] };

describe.each(backendsForSuite())('MCP job dependencies ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  async function runNext(client: Client): Promise<string | null> {
    const claimed = await ok<ClaimAnswer>(client, 'queue_claim');
    if (!claimed.job) return null;
    await ok(client, 'queue_complete', {
      jobId: claimed.job.id,
      leaseToken: claimed.lease!.token,
      result: { from: claimed.job.type },
      resultSummary: `${claimed.job.type} done`,
    });
    return claimed.job.type;
  }

  it(
    'makes implement → test → review in one call and runs it in order',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio(['--tools', 'all']);
      const graph = await ok<Graph>(client, 'queue_enqueue', {
        jobs: [
          { ref: 'impl', type: 'code.implement', payload: { task: 'add --json' } },
          { ref: 'test', type: 'code.test', dependsOn: ['impl'] },
          { ref: 'review', type: 'code.review', dependsOn: ['impl', 'test'] },
        ],
      });
      expect(graph.jobs.map((j) => [j.ref, j.job.pendingDependencies, j.job.createdBy])).toEqual([
        ['impl', 0, expect.any(String)],
        ['test', 1, expect.any(String)],
        ['review', 2, expect.any(String)],
      ]);

      const ran: (string | null)[] = [];
      for (let i = 0; i < 4; i++) ran.push(await runNext(client));
      expect(ran).toEqual(['code.implement', 'code.test', 'code.review', null]);

      const review = graph.jobs[2]!.job.id;
      const got = await ok<{ job: Job; dependencies: DependencyView[] }>(client, 'queue_get', {
        jobId: review,
        dependencies: true,
      });
      expect(got.dependencies).toHaveLength(2);
      expect(got.dependencies).toEqual(
        expect.arrayContaining([
          {
            id: graph.jobs[0]!.job.id,
            type: 'code.implement',
            status: 'succeeded',
            resultSummary: 'code.implement done',
            result: { from: 'code.implement' },
          },
          {
            id: graph.jobs[1]!.job.id,
            type: 'code.test',
            status: 'succeeded',
            resultSummary: 'code.test done',
            result: { from: 'code.test' },
          },
        ]),
      );
    },
  );

  it(
    'refuses a cycle, and jobs mixed with one job’s fields, writing nothing',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio(['--tools', 'all']);
      const cycle = await call<{ error: { code: string; message: string } }>(client, 'queue_enqueue', {
        jobs: [
          { ref: 'a', type: 'x', dependsOn: ['b'] },
          { ref: 'b', type: 'x', dependsOn: ['a'] },
        ],
      });
      expect(cycle.isError).toBe(true);
      expect(cycle.body.error).toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(/a → b → a/),
      });

      const mixed = await call<{ error: { code: string; message: string } }>(client, 'queue_enqueue', {
        type: 'x',
        priority: 3,
        jobs: [{ ref: 'a', type: 'x' }],
      });
      expect(mixed.isError).toBe(true);
      expect(mixed.body.error).toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(/not both; move type, priority into the jobs/),
      });
      expect((await ok<{ jobs: Job[] }>(client, 'queue_list')).jobs).toEqual([]);
    },
  );
});
