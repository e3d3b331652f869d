// Sleeping through a pause over real MCP sessions (two server processes sharing one database): a
// paused queue_claim with waitSeconds takes the job once another process resumes the fleet, and a
// quiesced queue_heartbeat with waitSeconds answers "continue" on resume and "cancel" on cancel.
// A progress notification proves the call is parked in its wait before the other process acts.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

/** Starts a tool call and resolves `parked` at its first progress notification. */
function parkedCall(client: Client, name: string, args: Record<string, unknown>) {
  let firstProgress!: () => void;
  const parked = new Promise<void>((resolve) => (firstProgress = resolve));
  const progress: { progress: number; total?: number; message?: string }[] = [];
  const answer = client
    .callTool({ name, arguments: args }, undefined, {
      timeout: 40_000,
      onprogress: (p) => {
        progress.push(p);
        firstProgress();
      },
    })
    .then((r) => (r as CallToolResult).structuredContent);
  return { parked, progress, answer };
}

describe.each(backendsForSuite())('MCP sleeping through a pause ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'a paused claim with waitSeconds takes the job when another process resumes',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [worker, operator] = await Promise.all([
        h.stdio(['--tools', 'worker']),
        h.stdio(['--tools', 'all']),
      ]);
      await ok(operator, 'queue_pause', { mode: 'drain', reason: 'deploy' });
      const { job } = await ok<{ job: Job }>(operator, 'queue_enqueue', { type: 'after.deploy' });
      const claim = parkedCall(worker, 'queue_claim', { waitSeconds: 30 });
      await claim.parked;
      expect(claim.progress[0]).toMatchObject({ total: 30 });
      await ok(operator, 'queue_resume', { reason: 'deployed' });
      const answer = (await claim.answer) as unknown as ClaimAnswer;
      expect(answer).toMatchObject({ action: 'work', job: { id: job.id }, system: { workersPaused: false } });
    },
  );

  it(
    'a quiesced heartbeat with waitSeconds answers continue on resume, then cancel on cancel',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [worker, operator] = await Promise.all([
        h.stdio(['--tools', 'worker']),
        h.stdio(['--tools', 'all']),
      ]);
      const { job } = await ok<{ job: Job }>(operator, 'queue_enqueue', { type: 'long.task' });
      const claim = await ok<ClaimAnswer>(worker, 'queue_claim');
      const lease = { jobId: job.id, leaseToken: claim.lease!.token };

      await ok(operator, 'queue_pause', { mode: 'quiesce', reason: 'failover' });
      const held = parkedCall(worker, 'queue_heartbeat', { ...lease, waitSeconds: 30 });
      await held.parked;
      await ok(operator, 'queue_resume', { reason: 'failover done', force: true });
      expect((await held.answer) as unknown as HeartbeatAnswer).toMatchObject({
        action: 'continue',
        system: { workersPaused: false },
      });

      await ok(operator, 'queue_pause', { mode: 'quiesce', reason: 'again' });
      const again = parkedCall(worker, 'queue_heartbeat', { ...lease, waitSeconds: 30 });
      await again.parked;
      await ok(operator, 'queue_cancel', { jobId: job.id, reason: 'not needed' });
      expect((await again.answer) as unknown as HeartbeatAnswer).toMatchObject({
        action: 'cancel',
        system: { workersPaused: true },
      });
    },
  );
});
