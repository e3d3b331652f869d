// queue_wait across separate server processes sharing one database: the producer's wait reports
// progress, wakes when a worker in another process completes the job (well before its deadline),
// answers the job as it stands at the deadline, and ends when the caller cancels the request.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { track } from '../helpers/waiting.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

interface WaitBody {
  job: Job;
  done: boolean;
}

describe.each(backendsForSuite())('MCP queue_wait ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'returns the result when a worker in another process completes the job, with progress while it waits',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [producer, worker] = await Promise.all([
        h.stdio(['--tools', 'producer']),
        h.stdio(['--tools', 'worker']),
      ]);
      const { job } = await ok<{ job: Job }>(producer, 'queue_enqueue', {
        type: 'delegate',
        payload: { n: 1 },
      });
      const claim = await ok<ClaimAnswer>(worker, 'queue_claim', {});
      let firstProgress!: () => void;
      const waiting = new Promise<void>((resolve) => (firstProgress = resolve));
      const progress: { progress: number; total?: number }[] = [];
      const wait = track(
        producer.callTool({ name: 'queue_wait', arguments: { jobId: job.id, waitSeconds: 40 } }, undefined, {
          timeout: 55_000,
          onprogress: (p) => {
            progress.push(p);
            firstProgress();
          },
        }),
      );
      // A progress notification proves the wait is parked: complete only then.
      await waiting;
      expect(progress[0]).toMatchObject({ total: 40 });
      await ok(worker, 'queue_complete', {
        jobId: job.id,
        leaseToken: claim.lease!.token,
        result: { sum: 3 },
      });
      const answer = (await wait.answer).structuredContent as unknown as WaitBody;
      expect(answer).toMatchObject({
        done: true,
        job: { id: job.id, status: 'succeeded', result: { sum: 3 } },
      });
      expect(wait.elapsedMs).toBeLessThan(35_000);
    },
  );

  it(
    'answers the job as it stands at the deadline; a cancelled request ends the wait',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const producer = await h.stdio(['--tools', 'producer']);
      const { job } = await ok<{ job: Job }>(producer, 'queue_enqueue', { type: 'slow' });
      expect(await ok<WaitBody>(producer, 'queue_wait', { jobId: job.id, waitSeconds: 0.5 })).toMatchObject({
        done: false,
        job: { id: job.id, status: 'queued' },
      });

      const abort = new AbortController();
      let parked!: () => void;
      const waiting = new Promise<void>((resolve) => (parked = resolve));
      const wait = producer.callTool({ name: 'queue_wait', arguments: { jobId: job.id } }, undefined, {
        signal: abort.signal,
        onprogress: () => parked(),
      });
      const rejected = expect(wait).rejects.toThrow('caller gone');
      await waiting;
      abort.abort('caller gone');
      await rejected;
      // The session goes on answering (the server ends the wait on notifications/cancelled: service.wait
      // stops on its signal, tests/queue/wait.test.ts).
      expect(await ok<WaitBody>(producer, 'queue_wait', { jobId: job.id, waitSeconds: 0 })).toMatchObject({
        done: false,
      });
    },
  );
});
