// `agent-queue mcp --server URL` (issue 10 part 3, MCP half): the stdio MCP server of a machine that
// cannot reach the database, every tool through a real `agent-queue serve`'s REST API, on both
// backends: the same tools and answers as the local server, tokens deciding what it may do, an
// unreachable serve answered per call (never a crash), and many processes sharing the queue.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness, type McpHarness } from './harness.js';
import { createTokens, directQueue, remoteMcp } from './remote-harness.js';

type ErrorBody = { error: { code: string; message: string } };

/** A loopback port nothing listens on right now (a serve is started on it later). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** tools/list as a host reads it, without `execution` (task support is a local-only feature). */
async function listing(client: Client): Promise<Tool[]> {
  const { tools } = await client.listTools();
  return tools.map(({ execution: _execution, ...tool }) => tool as Tool);
}

/** Claims until the queue answers `wait`, completing each job; returns the ids claimed. */
async function drain(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const answer = await ok<ClaimAnswer>(client, 'queue_claim', {});
    if (!answer.job) return ids;
    ids.push(answer.job.id);
    await ok(client, 'queue_complete', { jobId: answer.job.id, leaseToken: answer.lease!.token });
  }
}

describe.each(backendsForSuite())('agent-queue mcp --server ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'lists the same tools as the local server, without the tasks capability',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const serve = await h.serve();
      for (const profile of ['all', 'worker', 'producer']) {
        const local = await h.stdio(['--tools', profile]);
        const remote = await remoteMcp(h, serve.base, { args: ['--tools', profile] });
        expect(await listing(remote)).toEqual(await listing(local));
        const remoteTools = (await remote.listTools()).tools;
        expect(remoteTools.filter((t) => t.execution !== undefined)).toEqual([]);
        expect(remote.getServerCapabilities()?.tasks).toBeUndefined();
        if (profile !== 'worker') expect(local.getServerCapabilities()?.tasks).toBeDefined();
      }
    },
  );

  it(
    'runs a job end to end through serve, with queue_wait answered in a second process',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const serve = await h.serve();
      const [a, b] = await Promise.all([remoteMcp(h, serve.base), remoteMcp(h, serve.base)]);
      const { job } = await ok<{ job: Job }>(a, 'queue_enqueue', {
        type: 'remote.flow',
        payload: { n: 1 },
      });
      const waiting = ok<{ done: boolean; job: Job }>(b, 'queue_wait', { jobId: job.id, waitSeconds: 45 });
      const claimed = await ok<ClaimAnswer>(a, 'queue_claim', {});
      expect(claimed).toMatchObject({ action: 'work', job: { id: job.id, payload: { n: 1 } } });
      const leaseToken = claimed.lease!.token;
      const beat = await ok<HeartbeatAnswer>(a, 'queue_heartbeat', {
        jobId: job.id,
        leaseToken,
        message: 'half way',
      });
      expect(beat.action).toBe('continue');
      await ok(a, 'queue_complete', { jobId: job.id, leaseToken, result: { answer: 42 } });
      expect(await waiting).toMatchObject({ done: true, job: { id: job.id, status: 'succeeded' } });
      const got = await ok<{ job: Job }>(a, 'queue_get', { jobId: job.id });
      expect(got.job).toMatchObject({ status: 'succeeded', result: { answer: 42 } });
      // serve's error comes back with the MCP wording of its fix, as a local server words it.
      const missing = await call<ErrorBody>(a, 'queue_get', {
        jobId: '01900000-0000-7000-8000-000000000000',
      });
      expect(missing.body.error.code).toBe('not_found');
      expect(missing.body.error.message).toMatch(/^No job .* queue_list shows the ids of recent jobs\.$/);
      // queue_submit answers as a plain tool call: the queued job.
      const submitted = await ok<{ done: boolean; job: Job }>(b, 'queue_submit', { type: 'remote.sub' });
      expect(submitted).toMatchObject({ done: false, job: { type: 'remote.sub', status: 'queued' } });
      // Without a token this process is one agent: queue_held lists what it holds, by its own id.
      const second = await ok<ClaimAnswer>(a, 'queue_claim', {});
      const held = await ok<{ workerId: string; jobs: { job: Job }[] }>(a, 'queue_held', {});
      expect(held.jobs.map((j) => j.job.id)).toEqual([second.job!.id]);
      expect(held.workerId).toBe(second.job!.claimedBy);
    },
  );

  it(
    'queue_cancel of a running job shows cancel on the next heartbeat; pause, resume and status',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const serve = await h.serve();
      const [worker, boss] = await Promise.all([remoteMcp(h, serve.base), remoteMcp(h, serve.base)]);
      const { job } = await ok<{ job: Job }>(boss, 'queue_enqueue', { type: 'remote.cancel' });
      const claimed = await ok<ClaimAnswer>(worker, 'queue_claim', {});
      const leaseToken = claimed.lease!.token;
      await ok(boss, 'queue_cancel', { jobId: job.id, reason: 'not needed' });
      const beat = await ok<HeartbeatAnswer>(worker, 'queue_heartbeat', { jobId: job.id, leaseToken });
      expect(beat.action).toBe('cancel');
      const acked = await ok<{ job: Job }>(worker, 'queue_ack_cancel', { jobId: job.id, leaseToken });
      expect(acked.job.status).toBe('cancelled');

      await ok(boss, 'queue_pause', { mode: 'drain', reason: 'maintenance' });
      const paused = await ok<{ system: { workersPaused: boolean; reason: string } }>(
        boss,
        'queue_status',
        {},
      );
      expect(paused.system).toMatchObject({ workersPaused: true, reason: 'maintenance' });
      expect(await ok<ClaimAnswer>(worker, 'queue_claim', {})).toMatchObject({ action: 'wait' });
      await ok(boss, 'queue_resume', { reason: 'done' });
      const resumed = await ok<{ system: { workersPaused: boolean } }>(worker, 'queue_status', {});
      expect(resumed.system.workersPaused).toBe(false);
    },
  );

  it(
    'tokens: a worker token claims only its types as its own name; a producer cannot claim; only an operator pauses',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const q = directQueue(h);
      try {
        const tokens = await createTokens(q.service, [
          { name: 'far-worker', role: 'worker', types: ['alpha'] },
          { name: 'far-producer', role: 'producer' },
          { name: 'far-operator', role: 'operator' },
        ]);
        const serve = await h.serve();
        const [worker, producer, operator, anonymous] = await Promise.all([
          remoteMcp(h, serve.base, { token: tokens['far-worker'] }),
          remoteMcp(h, serve.base, { token: tokens['far-producer'] }),
          remoteMcp(h, serve.base, { token: tokens['far-operator'] }),
          remoteMcp(h, serve.base),
        ]);
        const { job: beta } = await ok<{ job: Job }>(producer, 'queue_enqueue', { type: 'beta' });
        const { job: alpha } = await ok<{ job: Job }>(producer, 'queue_enqueue', { type: 'alpha' });
        expect(alpha.createdBy).toBe('far-producer');

        const outside = await call<ErrorBody>(worker, 'queue_claim', { types: ['beta'] });
        expect(outside.isError).toBe(true);
        expect(outside.body.error.code).toBe('forbidden');
        const claimed = await ok<ClaimAnswer>(worker, 'queue_claim', {});
        expect(claimed.job).toMatchObject({ id: alpha.id, claimedBy: 'far-worker' });
        // The beta job is outside the token's types: never claimed by it.
        expect(await ok<ClaimAnswer>(worker, 'queue_claim', {})).toMatchObject({ action: 'wait' });
        const held = await ok<{ workerId: string; jobs: { job: Job }[] }>(worker, 'queue_held', {});
        expect(held.workerId).toBe('far-worker');
        expect(held.jobs.map((j) => j.job.id)).toEqual([alpha.id]);

        // The profile's tools stay listed (the role is not known up front); serve refuses them.
        const producerClaims = await call<ErrorBody>(producer, 'queue_claim', {});
        expect(producerClaims.body.error.code).toBe('forbidden');
        const workerPauses = await call<ErrorBody>(worker, 'queue_pause', { mode: 'drain', reason: 'no' });
        expect(workerPauses.body.error.code).toBe('forbidden');
        const noToken = await call<ErrorBody>(anonymous, 'queue_status', {});
        expect(noToken.body.error.code).toBe('unauthorized');
        expect(noToken.body.error.message).toMatch(/AGENT_QUEUE_TOKEN/);

        await ok(operator, 'queue_pause', { mode: 'drain', reason: 'window' });
        const status = await ok<{ system: { workersPaused: boolean; requestedBy: string } }>(
          worker,
          'queue_status',
          {},
        );
        expect(status.system).toMatchObject({ workersPaused: true, requestedBy: 'far-operator' });
        await ok(operator, 'queue_resume', { reason: 'over', force: true });
        expect((await q.service.get({ jobId: beta.id })).job.status).toBe('queued');
      } finally {
        await q.close();
      }
    },
  );

  it(
    'answers unavailable naming the server while serve is down, and works once it is up',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const port = await freePort();
      const base = new URL(`http://127.0.0.1:${port}`);
      const client = await remoteMcp(h, base);
      const down = await call<ErrorBody>(client, 'queue_status', {});
      expect(down.isError).toBe(true);
      expect(down.body.error.code).toBe('unavailable');
      expect(down.body.error.message).toContain(`127.0.0.1:${port}`);
      const claim = await call<ErrorBody>(client, 'queue_claim', {});
      expect(claim.body.error.code).toBe('unavailable');
      // The process is still serving, and reaches serve once it listens there.
      await h.serve(['--port', String(port)]);
      const up = await ok<{ system: { workersPaused: boolean } }>(client, 'queue_status', {});
      expect(up.system.workersPaused).toBe(false);
      const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', { type: 'after.outage' });
      expect((await ok<ClaimAnswer>(client, 'queue_claim', {})).job?.id).toBe(job.id);
    },
  );

  it(
    '3 remote and 1 local MCP processes claim 20 jobs together: none twice, none lost',
    { timeout: MCP_TEST_TIMEOUT_MS * 2 },
    async () => {
      const q = directQueue(h);
      try {
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++)
          ids.add((await q.service.enqueue({ type: 'fleet.job', payload: { i } })).job.id);
        const serve = await h.serve();
        const clients = await Promise.all([
          remoteMcp(h, serve.base),
          remoteMcp(h, serve.base),
          remoteMcp(h, serve.base),
          h.stdio(),
        ]);
        const claimed = (await Promise.all(clients.map(drain))).flat();
        expect(claimed.length).toBe(20);
        expect(new Set(claimed)).toEqual(ids);
        const { jobs } = await q.service.list({ type: 'fleet.job', limit: 100 });
        expect(jobs.map((j) => j.status)).toEqual(Array(20).fill('succeeded'));
        expect(jobs.every((j) => j.attempt === 1)).toBe(true);
      } finally {
        await q.close();
      }
    },
  );
});
