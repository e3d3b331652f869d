// `agent-queue serve`: the core worker flow over Streamable HTTP and over the legacy HTTP+SSE
// transport, DNS-rebinding protection, and the loopback-only bind.
import { request } from 'node:http';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { CLIENT_NAME, MCP_HEADERS, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';
import { INITIALIZE } from './raw-stdio.js';

const INITIALIZE_BODY = JSON.stringify(INITIALIZE);

/** A POST with a Host header fetch() would not let us set. */
function postWithHost(url: URL, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...MCP_HEADERS, host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(INITIALIZE_BODY);
  });
}

describe.each(backendsForSuite())('MCP over HTTP ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'runs enqueue -> claim -> heartbeat -> complete over Streamable HTTP, and over legacy SSE',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      expect(await (await fetch(new URL('/healthz', base))).json()).toEqual({ ok: true });

      const { client } = await h.http(base);
      expect((await client.listTools()).tools).toHaveLength(15);
      const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', {
        type: 'http.job',
        payload: { n: 1 },
      });
      const claim = await ok<ClaimAnswer>(client, 'queue_claim', { waitSeconds: 5 });
      expect(claim).toMatchObject({ action: 'work', job: { id: job.id }, system: { workersPaused: false } });
      const lease = { jobId: job.id, leaseToken: claim.lease!.token };
      expect((await ok<HeartbeatAnswer>(client, 'queue_heartbeat', { ...lease, progress: 10 })).action).toBe(
        'continue',
      );
      expect((await ok<{ job: Job }>(client, 'queue_complete', lease)).job.status).toBe('succeeded');

      // Old clients: GET /sse + POST /messages, same tools, same queue.
      const legacy = h.track(new Client({ name: 'legacy-client', version: '1.0.0' }));
      await legacy.connect(new SSEClientTransport(new URL('/sse', base)));
      const seen = await ok<{ job: Job }>(legacy, 'queue_get', { jobId: job.id });
      expect(seen.job.status).toBe('succeeded');
      expect(seen.job.claimedBy).toMatch(new RegExp(`-${CLIENT_NAME}-[0-9a-f]{6}$`));
    },
  );

  it(
    'refuses a foreign Origin or Host on /mcp (403), and unknown sessions (404)',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      const mcp = new URL('/mcp', base);
      const foreign = await fetch(mcp, {
        method: 'POST',
        headers: { ...MCP_HEADERS, origin: 'http://evil.example' },
        body: INITIALIZE_BODY,
      });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await postWithHost(mcp, `rebind.example:${base.port}`)).status).toBe(403);
      expect(
        (await fetch(new URL('/sse', base), { headers: { origin: 'http://evil.example' } })).status,
      ).toBe(403);

      const local = await fetch(mcp, {
        method: 'POST',
        headers: { ...MCP_HEADERS, origin: `http://localhost:${base.port}` },
        body: INITIALIZE_BODY,
      });
      expect(local.status).toBe(200);
      expect(local.headers.get('mcp-session-id')).toBeTruthy();
      await local.body?.cancel();
      const stale = await fetch(mcp, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-session-id': 'no-such-session' },
        body: INITIALIZE_BODY,
      });
      expect(stale.status).toBe(404);
    },
  );

  it(
    'refuses to bind a non-loopback address while tokens do not exist',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const child = h.spawn(['serve', '--host', '0.0.0.0', '--port', '0']);
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(err).toMatch(/refusing to listen on "0\.0\.0\.0".*tokens/);
    },
  );
});
