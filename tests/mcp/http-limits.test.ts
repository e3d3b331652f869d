// `serve` refuses an MCP request body over the limit as it streams in (413 with a coded JSON-RPC
// error), and keeps serving: a body is never buffered and parsed whole, whatever its size.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { MCP_HEADERS, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

// The database plays no part in a refusal before parsing: one backend is enough.
const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
const LIMIT = 16 * 1024 * 1024;

describe('MCP over HTTP: request body limit', () => {
  let h: McpHarness;
  useMcpHarness(sqlite, (opened) => (h = opened));

  it(
    'answers 413 with code payload_too_large, declared or chunked, then serves the next call',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      const { client, transport } = await h.http(base);
      const big = JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'queue_enqueue', arguments: { type: 'big', payload: { s: 'x'.repeat(LIMIT) } } },
      });
      // Declared length, and chunked (no Content-Length: counted as it streams in).
      for (const chunked of [false, true]) {
        const res = await fetch(new URL('/mcp', base), {
          method: 'POST',
          headers: {
            ...MCP_HEADERS,
            'mcp-session-id': transport.sessionId!,
          },
          body: chunked ? new Blob([big]).stream() : big,
          ...(chunked ? { duplex: 'half' } : {}),
        } as RequestInit);
        expect(res.status, `chunked: ${chunked}`).toBe(413);
        const body = (await res.json()) as { error: { code: number; data: { code: string } } };
        expect(body.error).toMatchObject({ code: -32600, data: { code: 'payload_too_large' } });
      }
      const { job } = await ok<{ job: { id: string } }>(client, 'queue_enqueue', { type: 'small' });
      // A chunked body under the limit still reaches the MCP transport whole.
      const small = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: {
          ...MCP_HEADERS,
          'mcp-session-id': transport.sessionId!,
          'mcp-protocol-version': transport.protocolVersion ?? '2025-06-18',
        },
        body: new Blob([JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' })]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(small.status).toBe(200);
      expect(await small.text()).toContain('"id":9');
      expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});
