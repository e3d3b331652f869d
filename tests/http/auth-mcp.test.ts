// Bearer tokens on a real `agent-queue serve` (built bundle, random loopback port), token store on
// both backends: each role's MCP session sees and may call its own tools only, a worker token's
// types and capabilities limit queue_claim, a session stays bound to the token that started it,
// and no / wrong / revoked tokens get 401.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeldAnswer, Job } from '../../src/core/types.js';
import { QueueService } from '../../src/queue/service.js';
import type { CreateTokenInput } from '../../src/queue/tokens.js';
import { backendsForSuite } from '../helpers/backends.js';
import { pollUntil } from '../faults/poll.js';
import {
  call,
  MCP_HEADERS,
  MCP_TEST_TIMEOUT_MS,
  ok,
  useMcpHarness,
  type McpHarness,
} from '../mcp/harness.js';
import { INITIALIZE } from '../mcp/raw-stdio.js';

/** Token operations as another process would run them (`agent-queue token …`), on the test database. */
async function withTokens<T>(h: McpHarness, fn: (s: QueueService) => Promise<T>): Promise<T> {
  const store = h.db.open();
  const service = new QueueService({ store });
  try {
    return await fn(service);
  } finally {
    await service.close();
    await store.close();
  }
}

const createTokens = (h: McpHarness, inputs: CreateTokenInput[]) =>
  withTokens(h, async (s) => {
    const out: Record<string, string> = {};
    for (const i of inputs) out[i.name] = (await s.tokens.create(i)).token;
    return out;
  });

async function connect(h: McpHarness, base: URL, token: string, name = 'auth-test'): Promise<Client> {
  const client = h.track(new Client({ name, version: '1.0.0' }));
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

const toolNames = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();

const post = (base: URL, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL('/mcp', base), {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify(body),
  });

interface RpcRefusal {
  jsonrpc: string;
  id: null;
  error: { code: number; message: string; data: { code: string } };
}

describe.each(backendsForSuite())('bearer tokens on /mcp ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'shows each role its own tools, refuses the others, and scopes a worker token’s claims',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const t = await createTokens(h, [
        { name: 'prod', role: 'producer' },
        { name: 'w-build', role: 'worker', types: ['build', 'lint'], capabilities: ['cpu'] },
        { name: 'ops', role: 'operator' },
      ]);
      const { base } = await h.serve(['--types', 'build,deploy', '--capabilities', 'gpu,cpu']);
      const [producer, worker, operator] = await Promise.all([
        connect(h, base, t.prod!),
        connect(h, base, t['w-build']!),
        connect(h, base, t.ops!),
      ]);

      expect(await toolNames(producer)).toEqual([
        'queue_cancel',
        'queue_enqueue',
        'queue_get',
        'queue_list',
        'queue_status',
        'queue_submit',
        'queue_wait',
      ]);
      expect(await toolNames(worker)).toEqual([
        'queue_ack_cancel',
        'queue_claim',
        'queue_complete',
        'queue_fail',
        'queue_get',
        'queue_heartbeat',
        'queue_held',
        'queue_status',
      ]);
      expect(await toolNames(operator)).toHaveLength(15);
      // A tool the role does not have is not there to call.
      await expect(call(producer, 'queue_claim')).rejects.toThrow(/queue_claim/);
      await expect(call(producer, 'queue_pause', { mode: 'drain', reason: 'x' })).rejects.toThrow(
        /queue_pause/,
      );
      await expect(call(worker, 'queue_enqueue', { type: 'build' })).rejects.toThrow(/queue_enqueue/);

      // The producer's jobs carry its token's name as their creator.
      const enqueue = async (type: string, requiredCapabilities: string[]) =>
        (await ok<{ job: Job }>(producer, 'queue_enqueue', { type, requiredCapabilities })).job;
      const needsGpu = await enqueue('build', ['gpu']);
      const deploy = await enqueue('deploy', []);
      const cpuBuild = await enqueue('build', ['cpu']);
      expect(cpuBuild.createdBy).toBe('prod');

      // The worker token narrows the server's scope: builds (not deploys) that need cpu at most.
      const claim = await ok<ClaimAnswer>(worker, 'queue_claim');
      expect(claim).toMatchObject({ action: 'work', job: { id: cpuBuild.id, claimedBy: 'w-build' } });
      expect((await ok<ClaimAnswer>(worker, 'queue_claim')).action).toBe('wait');
      const outside = await call<{ error: { code: string; message: string } }>(worker, 'queue_claim', {
        types: ['deploy'],
      });
      expect(outside.isError).toBe(true);
      expect(outside.body.error.code).toBe('forbidden');

      // The token's name is a worker id of its own: queue_held over HTTP answers it, in any session.
      const again = await connect(h, base, t['w-build']!, 'another-client');
      const held = await ok<HeldAnswer>(again, 'queue_held');
      expect(held.workerId).toBe('w-build');
      expect(held.jobs.map((j) => [j.job.id, j.lease.token])).toEqual([[cpuBuild.id, claim.lease!.token]]);

      // The operator has the server's whole scope, and the fleet controls.
      const taken = new Set<string>();
      for (let i = 0; i < 2; i++) taken.add((await ok<ClaimAnswer>(operator, 'queue_claim')).job!.id);
      expect(taken).toEqual(new Set([needsGpu.id, deploy.id]));
      const paused = await ok<{ changed: boolean }>(operator, 'queue_pause', {
        mode: 'drain',
        reason: 'test',
      });
      expect(paused.changed).toBe(true);
    },
  );

  it(
    'refuses a missing, wrong or revoked token (401) and another token on a bound session (403)',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const t = await createTokens(h, [
        { name: 'w1', role: 'worker' },
        { name: 'w2', role: 'worker' },
      ]);
      const { base, stderr } = await h.serve();

      const missing = await post(base, INITIALIZE);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="agent-queue"');
      const body = (await missing.json()) as RpcRefusal;
      expect(body).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, data: { code: 'unauthorized' } },
      });
      expect(body.error.message).toMatch(/Authorization: Bearer <token>/);

      const wrong = await post(base, INITIALIZE, { authorization: `Bearer ${t.w1}x` });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/invalid_token/);
      await wrong.body?.cancel();
      expect((await fetch(new URL('/sse', base))).status).toBe(401);
      await expect(connect(h, base, 'aq_not-a-token')).rejects.toThrow();

      // A session is its initializer's: the same session id with another token is refused.
      const init = await post(base, INITIALIZE, { authorization: `Bearer ${t.w1}` });
      expect(init.status).toBe(200);
      const session = init.headers.get('mcp-session-id')!;
      await init.body?.cancel();
      const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
      const sessionHeaders = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
      const stolen = await post(base, list, { ...sessionHeaders, authorization: `Bearer ${t.w2}` });
      expect(stolen.status).toBe(403);
      expect(((await stolen.json()) as RpcRefusal).error.data.code).toBe('forbidden');
      const own = await post(base, list, { ...sessionHeaders, authorization: `Bearer ${t.w1}` });
      expect(own.status).toBe(200);
      await own.body?.cancel();

      // Revoked by another process: refused within the server's cache time (5 s).
      const client = await connect(h, base, t.w2!);
      await ok(client, 'queue_status');
      await withTokens(h, (s) => s.tokens.revoke('w2'));
      const refused = await pollUntil(
        () =>
          client.listTools().then(
            () => 'ok',
            (err: unknown) => String(err),
          ),
        (r) => r !== 'ok',
        15_000,
      );
      expect(refused).toMatch(/401|not valid/);
      expect((await post(base, INITIALIZE, { authorization: `Bearer ${t.w2}` })).status).toBe(401);

      // Neither the tokens nor their hashes reach the log.
      for (const secret of Object.values(t)) expect(stderr()).not.toContain(secret.slice(3));
    },
  );
});
