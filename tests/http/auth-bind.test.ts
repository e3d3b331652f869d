// Where serve may listen, and what browsers may do: a non-loopback bind only once a token exists
// (the decision, plus one real refusal by the built server), foreign Origins refused on /mcp, /api
// and /, and CORS preflight answered for the --allowed-origins only.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bindRefusal, isLoopbackBind } from '../../src/http/bind.js';
import { BACKENDS } from '../helpers/backends.js';
import { MCP_HEADERS, MCP_TEST_TIMEOUT_MS, useMcpHarness, type McpHarness } from '../mcp/harness.js';
import { INITIALIZE } from '../mcp/raw-stdio.js';

describe('the bind decision', () => {
  it('allows loopback always, and any other address only once a token exists', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      expect([host, isLoopbackBind(host), bindRefusal(host, false)]).toEqual([host, true, null]);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'queue.internal']) {
      expect(isLoopbackBind(host)).toBe(false);
      expect(bindRefusal(host, true)).toBeNull();
      const refusal = bindRefusal(host, false);
      expect(refusal?.code).toBe('invalid_argument');
      expect(refusal?.message).toContain(`refusing to listen on "${host}": no access tokens exist`);
      expect(refusal?.message).toContain('agent-queue token create --role operator --name admin');
    }
  });
});

// Origins and the refusal touch no token store: one backend is enough.
describe('serve: bind, Origin and CORS', () => {
  let h: McpHarness;
  useMcpHarness(BACKENDS[0]!, (opened) => (h = opened));

  it(
    'exits non-zero, saying how to create a token, when asked to listen on 0.0.0.0 without one',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const child = h.spawn(['serve', '--host', '0.0.0.0', '--port', '0']);
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(err.trim()).toMatch(
        /^error \[invalid_argument\]: refusing to listen on "0\.0\.0\.0": no access tokens exist.*agent-queue token create/,
      );
    },
  );

  it(
    'refuses foreign Origins and answers preflight for the allowed origins only',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const allowed = 'https://dash.example.com';
      const { base } = await h.serve(['--allowed-origins', allowed]);
      const at = (path: string) => new URL(path, base);

      for (const path of ['/mcp', '/api/queue/jobs', '/']) {
        const foreign = await fetch(at(path), { headers: { origin: 'http://evil.example' } });
        expect([path, foreign.status]).toEqual([path, 403]);
        expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }

      const preflight = (origin: string, path = '/mcp') =>
        fetch(at(path), {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        });
      for (const path of ['/mcp', '/api/queue/jobs']) {
        const ok = await preflight(allowed, path);
        expect(ok.status).toBe(204);
        expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
        expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
        expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
      }
      // Neither a foreign origin nor a loopback page not listed gets a preflight answer.
      for (const origin of ['https://other.example.com', `http://localhost:${Number(base.port) + 1}`]) {
        const refused = await preflight(origin);
        expect([origin, refused.status]).toEqual([origin, 403]);
        expect(refused.headers.get('access-control-allow-origin')).toBeNull();
        await refused.body?.cancel();
      }

      // The allowed origin's real request works, and the browser may read the answer and session id.
      const init = await fetch(at('/mcp'), {
        method: 'POST',
        headers: { ...MCP_HEADERS, origin: allowed },
        body: JSON.stringify(INITIALIZE),
      });
      expect(init.status).toBe(200);
      expect(init.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(init.headers.get('access-control-expose-headers')).toMatch(/Mcp-Session-Id/);
      await init.body?.cancel();
    },
  );
});
