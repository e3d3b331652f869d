// Resumable SSE over Streamable HTTP: a client whose POST stream breaks during a long-poll
// reconnects with GET + Last-Event-ID and still receives the answer. Raw HTTP shows the ids and the
// `retry:` hint; the SDK's own client shows that it resumes by itself.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { CLIENT_NAME, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';
import { RawHttpSession, type SseEvent } from './sse-events.js';

const structured = <T>(m: Record<string, unknown>) =>
  (m.result as CallToolResult).structuredContent as unknown as T;

describe.each(backendsForSuite())('MCP over HTTP: resumable streams ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'a held heartbeat whose stream was cut is answered on the GET that resumes it',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      const { client: operator } = await h.http(base);
      const { job } = await ok<{ job: Job }>(operator, 'queue_enqueue', { type: 'resume.me' });
      const worker = await RawHttpSession.open(base);

      const claimStream = await worker.callStream(1, 'queue_claim', {});
      const claim = structured<ClaimAnswer>((await claimStream.nextMessage((m) => m.id === 1)).message);
      expect(claim.job?.id).toBe(job.id);

      await ok(operator, 'queue_pause', { mode: 'quiesce', reason: 'network test' });
      const lease = { jobId: job.id, leaseToken: claim.lease!.token };
      const held = await worker.callStream(2, 'queue_heartbeat', { ...lease, waitSeconds: 30 }, 'beat');
      // First the priming event: an id to resume from, and how soon to come back.
      const priming: SseEvent = await held.next();
      expect(priming).toMatchObject({ id: expect.any(String), retry: 1000, data: '' });
      // A progress notification: the heartbeat is parked in its wait.
      const parked = await held.nextMessage((m) => m.method === 'notifications/progress');
      expect(parked.id).toMatch(/^\d+$/);
      await held.cut();

      // The answer comes while no stream is open for it (or after the GET below), never lost.
      await ok(operator, 'queue_resume', { reason: 'back', force: true });
      const resumed = await worker.resume(parked.id!);
      expect(resumed.res.status).toBe(200);
      const answer = await resumed.events().nextMessage((m) => m.id === 2);
      expect(answer.id).toMatch(/^\d+$/);
      expect(structured<HeartbeatAnswer>(answer.message)).toMatchObject({
        action: 'continue',
        system: { workersPaused: false },
      });

      // Replaying again from the same point gives the same answer (the client may have lost it twice).
      const again = await worker.resume(parked.id!);
      const replay = again.events();
      const replayed = await replay.nextMessage((m) => m.id === 2);
      expect(replayed.id).toBe(answer.id);
      // ...on a stream that then ends, instead of staying open for answers that will never come.
      await expect(replay.next()).rejects.toThrow(/stream ended/);

      // An id the session never issued (or no longer keeps) is refused with what to do instead.
      const unknown = await worker.resume('999999');
      expect(unknown.res.status).toBe(400);
      const body = (await unknown.res.json()) as { error: { message: string; data: { code: string } } };
      expect(body.error.data.code).toBe('not_found');
      expect(body.error.message).toMatch(/not among this session's stored events.*repeat the call/);
    },
  );

  it(
    "the SDK client resumes a cut claim stream by itself and gets the claim's answer",
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { base } = await h.serve();
      // A fetch that breaks the first tools/call stream right after its first event, as a network would.
      let cuts = 0;
      const cutting: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        const isCall = typeof init?.body === 'string' && init.body.includes('"tools/call"');
        if (!isCall || cuts > 0 || !res.body) return res;
        cuts++;
        const upstream = res.body.getReader();
        const broken = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { value, done } = await upstream.read();
            if (done) return controller.close();
            controller.enqueue(value);
            // After the priming event (an id), the connection "drops".
            if (new TextDecoder().decode(value).includes('id:')) {
              await upstream.cancel();
              controller.error(new TypeError('terminated'));
            }
          },
        });
        return new Response(broken, { status: res.status, headers: res.headers });
      };
      const client = h.track(new Client({ name: CLIENT_NAME, version: '1.0.0' }));
      const errors: string[] = [];
      client.onerror = (err) => errors.push(err.message);
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base), { fetch: cutting }));

      // Nothing to claim: the long-poll ends in `wait`, an answer that hands out no job.
      const raw = (await client.callTool({
        name: 'queue_claim',
        arguments: { waitSeconds: 2 },
      })) as CallToolResult;
      expect(cuts).toBe(1);
      expect(errors.join('\n')).toMatch(/SSE stream disconnected/);
      expect(raw.structuredContent as unknown as ClaimAnswer).toMatchObject({ action: 'wait' });
      // The session goes on as before.
      expect((await ok<{ jobs: unknown[] }>(client, 'queue_list', {})).jobs).toEqual([]);
    },
  );
});
