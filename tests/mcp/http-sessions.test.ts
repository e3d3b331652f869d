// The session cap of `serve` (--max-sessions): at the cap, a new session closes the one idle
// longest (logged, never a busy one); when every session has a call in flight, the new one is
// refused with 503 and how to raise the cap. Legacy SSE sessions count toward the same cap.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer } from '../../src/core/types.js';
import { BACKENDS } from '../helpers/backends.js';
import { MCP_HEADERS, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';
import { INITIALIZE } from './raw-stdio.js';

// Sessions live in the server process; the database only answers the calls: one backend is enough.
const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;

/** A long-poll claim; `parked` resolves at its first progress notification (it is waiting). */
function parkedClaim(client: Client) {
  let first!: () => void;
  const parked = new Promise<void>((resolve) => (first = resolve));
  const answer = client
    .callTool({ name: 'queue_claim', arguments: { waitSeconds: 50 } }, undefined, {
      timeout: 55_000,
      onprogress: () => first(),
    })
    .then((r) => (r as CallToolResult).structuredContent as unknown as ClaimAnswer);
  // The claims still waiting at the end fail when their client closes: expected, not unhandled.
  answer.catch(() => {});
  return { parked, answer };
}

describe('MCP over HTTP: session cap', () => {
  let h: McpHarness;
  useMcpHarness(sqlite, (opened) => (h = opened));

  it(
    'closes the session idle longest, never a busy one, and refuses when all are busy',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const served = await h.serve(['--max-sessions', '3']);
      const { base } = served;
      const a = await h.http(base, 'client-a');
      const b = await h.http(base, 'client-b');
      const c = await h.http(base, 'client-c');
      // a waits in a long-poll: busy, although its last request is older than b's and c's.
      const aClaim = parkedClaim(a.client);
      await aClaim.parked;
      await ok(b.client, 'queue_status');
      await ok(c.client, 'queue_status');

      // A fourth session: b (idle longest; a is busy) makes room.
      const d = await h.http(base, 'client-d');
      await ok(d.client, 'queue_status');
      const closed = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-session-id': b.transport.sessionId! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      expect(closed.status).toBe(404);
      expect(await closed.text()).toMatch(/Session not found.*Start a new session with initialize/);
      const line = served
        .stderr()
        .split('\n')
        .find((l) => l.includes('session cap reached: closed the session idle longest'));
      expect(line, served.stderr()).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({
        kind: 'streamable-http',
        ageSeconds: expect.any(Number),
        idleSeconds: expect.any(Number),
        maxSessions: 3,
      });
      // No session id in the log: it is as good as a credential.
      expect(served.stderr()).not.toContain(b.transport.sessionId!);

      // a, c, d all busy: a fifth session is refused, over either transport.
      const cClaim = parkedClaim(c.client);
      const dClaim = parkedClaim(d.client);
      await Promise.all([cClaim.parked, dClaim.parked]);
      const refused = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: MCP_HEADERS,
        body: JSON.stringify(INITIALIZE),
      });
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { message: string; data: Record<string, unknown> } };
      expect(body.error.data).toEqual({ code: 'unavailable', maxSessions: 3 });
      expect(body.error.message).toMatch(
        /all 3 have a call in flight.*--max-sessions.*AGENT_QUEUE_HTTP_MAX_SESSIONS/,
      );
      const legacy = await fetch(new URL('/sse', base));
      expect(legacy.status).toBe(503);
      expect(((await legacy.json()) as { error: { code: string } }).error.code).toBe('unavailable');

      // The busy sessions were left alone: their long-polls end with the job enqueued now.
      await ok(a.client, 'queue_enqueue', { type: 'after.cap' });
      const answers = await Promise.race([aClaim.answer, cClaim.answer, dClaim.answer]);
      expect(answers.action).toBe('work');
    },
  );
});
