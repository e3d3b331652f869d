// concurrencyKey through MCP: queue_enqueue offers it (from the shared enqueue schema) and the claim
// obeys it over a spawned server. Limits themselves have no tool (operator configuration: CLI, REST).
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP concurrency keys ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'enqueues with a key and claims one job of the key at a time',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio(['--tools', 'all']);
      const { tools } = await client.listTools();
      const enqueue = tools.find((t) => t.name === 'queue_enqueue')!;
      expect(enqueue.inputSchema.properties).toHaveProperty('concurrencyKey');
      expect(tools.map((t) => t.name).filter((n) => n.includes('limit'))).toEqual([]);

      const jobs: Job[] = [];
      for (let i = 0; i < 2; i++) {
        const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', {
          type: 'deploy',
          concurrencyKey: 'repo:acme/api',
          payload: { i },
        });
        expect(job.concurrencyKey).toBe('repo:acme/api');
        jobs.push(job);
      }
      const first = await ok<ClaimAnswer>(client, 'queue_claim', { types: ['deploy'] });
      expect(first.job).toMatchObject({ id: jobs[0]!.id, concurrencyKey: 'repo:acme/api' });
      // The key's one slot is taken: the second job waits for it.
      expect((await ok<ClaimAnswer>(client, 'queue_claim', { types: ['deploy'] })).job).toBeNull();
      await ok(client, 'queue_complete', { jobId: jobs[0]!.id, leaseToken: first.lease!.token });
      const second = await ok<ClaimAnswer>(client, 'queue_claim', { types: ['deploy'] });
      expect(second.job?.id).toBe(jobs[1]!.id);
    },
  );
});
