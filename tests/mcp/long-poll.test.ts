// queue_claim with waitSeconds across two separate server processes sharing one database: the
// waiting claim reports progress, and an enqueue in the other process wakes it long before its deadline.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP long-poll claim ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'wakes on an enqueue made through another server process, with progress while it waits',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [worker, producer] = await Promise.all([
        h.stdio(['--tools', 'worker']),
        h.stdio(['--tools', 'producer']),
      ]);
      let firstProgress!: () => void;
      const waiting = new Promise<void>((resolve) => (firstProgress = resolve));
      const progress: { progress: number; total?: number }[] = [];
      const started = performance.now();
      const claim = worker.callTool({ name: 'queue_claim', arguments: { waitSeconds: 20 } }, undefined, {
        timeout: 40_000,
        onprogress: (p) => {
          progress.push(p);
          firstProgress();
        },
      });
      // A progress notification proves the claim is parked in its long-poll: enqueue only then.
      await waiting;
      expect(progress[0]).toMatchObject({ total: 20 });
      const { job } = await ok<{ job: Job }>(producer, 'queue_enqueue', { type: 'wake.up' });
      const answer = (await claim).structuredContent as unknown as ClaimAnswer;
      const waitedMs = performance.now() - started;
      expect(answer.action).toBe('work');
      expect(answer.job!.id).toBe(job.id);
      expect(waitedMs).toBeLessThan(18_000);
    },
  );
});
