// `serve` refuses an MCP request body over the limit as it streams in (413 with a coded JSON-RPC
// error), and keeps serving: a body is never buffered and parsed whole, whatever its size.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { CLIENT_NAME, McpHarness, MCP_TEST_TIMEOUT_MS, ok } from './harness.js';

// The database plays no part in a refusal before parsing: one backend is enough.
const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
const LIMIT = 16 * 1024 * 1024;

describe('MCP over HTTP: request body limit', () => {
  let h: McpHarness;
  beforeEach(async () => {
    h = await new McpHarness(sqlite).setup();
  });
  afterEach(() => h.cleanup());

  it(
    'answers 413 with code payload_too_large, declared or chunked, then serves the next call',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      const client = h.track(new Client({ name: CLIENT_NAME, version: '1.0.0' }));
      const transport = new StreamableHTTPClientTransport(new URL('/mcp', base));
      await client.connect(transport);
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
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
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
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
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
