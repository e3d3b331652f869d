// A worker finds its own job after a restart, through real MCP server processes: claim in one, kill
// it (SIGKILL: nothing is cleaned up), start another with the same AGENT_QUEUE_WORKER_ID, and
// queue_held gives the job and its token, which completes it. A session under another id sees
// nothing, and an operator's list never shows a token.
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeldAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP queue_held ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'a restarted server with the same worker id finds its job with the token and completes it',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const stable = { AGENT_QUEUE_WORKER_ID: 'laptop-claude' };
      const [first, operator] = await Promise.all([
        h.stdio(['--tools', 'worker'], stable),
        h.stdio(['--tools', 'operator']),
      ]);
      const { job } = await ok<{ job: Job }>(operator, 'queue_enqueue', {
        type: 'long.task',
        payload: { n: 7 },
      });
      const claim = await ok<ClaimAnswer>(first, 'queue_claim');
      expect(claim.job).toMatchObject({ id: job.id, claimedBy: 'laptop-claude' });

      const pid = (first.transport as StdioClientTransport).pid!;
      process.kill(pid, 'SIGKILL');
      await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false);

      const [again, stranger] = await Promise.all([
        h.stdio(['--tools', 'worker'], stable),
        h.stdio(['--tools', 'worker']),
      ]);
      const held = await ok<HeldAnswer>(again, 'queue_held');
      expect(held.workerId).toBe('laptop-claude');
      expect(held.jobs).toHaveLength(1);
      expect(held.jobs[0]!.job).toMatchObject({ id: job.id, status: 'running', payload: { n: 7 } });
      expect(held.jobs[0]!.lease.token).toBe(claim.lease!.token);
      expect(held).not.toHaveProperty('note');
      // A derived per-session id finds nothing, and says why and how to fix it.
      const derived = await ok<HeldAnswer & { note?: string }>(stranger, 'queue_held');
      expect(derived.jobs).toEqual([]);
      expect(derived.note).toMatch(/AGENT_QUEUE_WORKER_ID/);
      const listed = await ok(operator, 'queue_list', { status: 'running', full: true });
      expect(JSON.stringify(listed)).not.toContain(claim.lease!.token);

      const done = await ok<{ job: Job }>(again, 'queue_complete', {
        jobId: job.id,
        leaseToken: held.jobs[0]!.lease.token,
        resultSummary: 'finished after a restart',
      });
      expect(done.job.status).toBe('succeeded');
      expect((await ok<HeldAnswer>(again, 'queue_held')).jobs).toEqual([]);
    },
  );

  it(
    'over HTTP a server-wide worker id shows no tokens: queue_held is refused, saying why and what to do',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const shared = await h.serve(['--worker-id', 'team-server']);
      const [{ client: alice }, { client: bob }] = await Promise.all([
        h.http(shared.base, 'alice'),
        h.http(shared.base, 'bob'),
      ]);
      await ok(alice, 'queue_enqueue', { type: 'http.task' });
      const claim = await ok<ClaimAnswer>(alice, 'queue_claim');
      expect(claim.job).toMatchObject({ claimedBy: 'team-server' });

      // Bob's session has the same id as Alice's; before, this listed her job with her token.
      const refused = await call(bob, 'queue_held');
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.raw)).not.toContain(claim.lease!.token);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
      const message = (refused.body as { error: { message: string } }).error.message;
      expect(message).toMatch(/HTTP session shares that id/);
      expect(message).toMatch(/stdio MCP server with your own AGENT_QUEUE_WORKER_ID/);
      expect((await call(alice, 'queue_held')).isError).toBe(true);

      // Without --worker-id each HTTP session has its own id: its own jobs, and a note that does
      // not tell it to set the server-wide id.
      const perSession = await h.serve();
      const { client: carol } = await h.http(perSession.base, 'carol');
      await ok(carol, 'queue_enqueue', { type: 'http.task' });
      const mine = await ok<ClaimAnswer>(carol, 'queue_claim');
      const held = await ok<HeldAnswer & { note?: string }>(carol, 'queue_held');
      expect(held.jobs.map((j) => j.lease.token)).toEqual([mine.lease!.token]);
      expect(held.note).toMatch(/HTTP session/);
      expect(held.note).not.toMatch(/in the MCP config/);
    },
  );
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
