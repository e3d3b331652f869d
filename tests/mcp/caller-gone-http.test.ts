// Issue 14, fix 1, over HTTP: a client that drops its connection while its queue_claim long-polls
// (no notifications/cancelled) must not leave a job running for nobody. Streamable HTTP: the POST's
// response stream closing ends the wait; legacy SSE: the GET /sse stream closing does. A job the
// claim takes after that is released at once (queued, attempt not counted, a `released` event).
import type { AddressInfo, Socket } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimAnswer, JobEvent } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import { QueueService } from '../../src/queue/service.js';
import { loadSettings } from '../../src/settings/load.js';
import type { Store } from '../../src/store/store.js';
import { backendsForSuite } from '../helpers/backends.js';
import { pollUntil } from '../faults/poll.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';
import { claimCall, legacySession, streamableSession, type Streaming } from './raw-http.js';

type Session = { post(body: string): Promise<Streaming> };
type Drop = (s: Session) => Promise<() => void>;

// How each transport's caller vanishes mid-claim: the claim's own response stream (Streamable
// HTTP), or the one GET /sse stream every answer of the session goes over (legacy).
const TRANSPORTS: { name: string; open(base: URL): Promise<Session & { drop: Drop }> }[] = [
  {
    name: 'Streamable HTTP',
    async open(base) {
      const s = await streamableSession(base);
      return {
        ...s,
        drop: async (session) => {
          const claim = await session.post(claimCall('claim-1', { waitSeconds: 30 }));
          expect(claim.res.statusCode).toBe(200);
          return () => claim.req.destroy();
        },
      };
    },
  },
  {
    name: 'legacy SSE',
    async open(base) {
      const s = await legacySession(base);
      return {
        ...s,
        drop: async (session) => {
          (await session.post(claimCall('claim-1', { waitSeconds: 30 }))).res.resume();
          return () => s.stream.req.destroy();
        },
      };
    },
  },
];

/** The attempt-shaping events of a job's timeline, oldest first. */
const story = (events: JobEvent[]) =>
  events.filter((e) => ['claimed', 'released'].includes(e.kind)).map((e) => e.kind);

describe.each(backendsForSuite())('a claimer that went away, over HTTP ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  for (const transport of TRANSPORTS) {
    it(
      `${transport.name}: the dropped long-poll claims nothing for nobody; another client gets the job`,
      { timeout: MCP_TEST_TIMEOUT_MS },
      async () => {
        const { base } = await h.serve();
        const { client: other } = await h.http(base, 'other-client');
        const session = await transport.open(base);
        const destroy = await session.drop(session);
        destroy();
        const { job } = await ok<{ job: { id: string } }>(other, 'queue_enqueue', {
          type: 'gone.job',
          payload: {},
        });
        // Were the dropped long-poll still waiting, it would take the job and this claim would get nothing.
        const claim = await ok<ClaimAnswer>(other, 'queue_claim', { waitSeconds: 20 });
        expect(claim).toMatchObject({ action: 'work', job: { id: job.id, attempt: 1 } });
        const seen = await ok<{ job: unknown; events: JobEvent[] }>(other, 'queue_get', {
          jobId: job.id,
          events: 50,
        });
        // Either the wait ended before the enqueue, or its claim landed after the drop and was handed back.
        expect([['claimed'], ['claimed', 'released', 'claimed']]).toContainEqual(story(seen.events));
        const released = seen.events.find((e) => e.kind === 'released');
        if (released) expect(released.data).toMatchObject({ endedBy: 'release' });
      },
    );
  }
});

// In process, so the claim can be made to land exactly after the connection dropped: the store
// (real, on the test database) returns a claimed job only once the server saw its socket close.
describe.each(backendsForSuite())('a claim landing after the connection dropped ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  for (const transport of TRANSPORTS) {
    it(
      `${transport.name}: is released at once, attempt not counted`,
      { timeout: MCP_TEST_TIMEOUT_MS },
      async () => {
        const store = h.db.open();
        opened.push(store);
        let serverSocketClosed: Promise<void> | null = null;
        let dropNow: (() => void) | null = null;
        const hooked = new Proxy(store, {
          get(target, key) {
            if (key === 'jobClaim') {
              return async (p: Parameters<Store['jobClaim']>[0]) => {
                const out = await target.jobClaim(p);
                if (out.job && dropNow) {
                  dropNow();
                  await serverSocketClosed;
                  // Node's 'close' listeners (hono's abort among them) run in order: one turn more.
                  await new Promise((resolve) => setImmediate(resolve));
                }
                return out;
              };
            }
            const value = Reflect.get(target, key) as unknown;
            return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          },
        });
        const service = new QueueService({ store: hooked });
        opened.push(service);
        const settings = loadSettings({ env: {}, command: 'serve' });
        const app = createApp({
          service,
          mcp: { mcp: settings.mcp, worker: settings.worker },
          origins: settings.http.origins,
          payloadLimitBytes: settings.queue.payloadLimitBytes,
          maxSessions: settings.http.maxSessions,
        });
        const server: ServerType = serve({ fetch: app.app.fetch, hostname: '127.0.0.1', port: 0 });
        await new Promise<void>((resolve) => server.once('listening', resolve));
        opened.push({
          close: async () => {
            await app.close();
            await new Promise<void>((resolve) => server.close(() => resolve()));
          },
        });
        const sockets: Socket[] = [];
        server.on('connection', (s: Socket) => void sockets.push(s));
        const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

        const session = await transport.open(base);
        const destroy = await session.drop(session);
        // Each request has a connection of its own: the claim's POST is the last one; a legacy
        // session's GET /sse stream, which carries its answers, the first.
        const watched = transport.name === 'legacy SSE' ? sockets[0]! : sockets.at(-1)!;
        serverSocketClosed = new Promise((resolve) => watched.once('close', () => resolve()));
        dropNow = destroy;
        const { job } = await service.enqueue({ type: 'gone.job', payload: {} });

        const after = await waitForKinds(service, job.id, 'released');
        expect(after.job).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null, startedAt: null });
        expect(after.events.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'released']);
        expect(after.events.at(-1)!.data).toEqual({
          endedBy: 'release',
          reason: transport.name === 'legacy SSE' ? 'session_closing' : 'response_stream_closed',
        });
        dropNow = null;
        expect((await service.claim({ workerId: 'next' })).job).toMatchObject({ id: job.id, attempt: 1 });
      },
    );
  }
});

/** The job and its timeline once an event of `kind` is in it (the release runs as the claim returns). */
async function waitForKinds(service: QueueService, jobId: string, kind: string) {
  await pollUntil(
    () => service.get({ jobId, events: 50 }),
    (g) => g.events!.some((e) => e.kind === kind),
    10_000,
  );
  // Read again: `get` reads the row and the events in two statements, so the read that first saw
  // the event may show the row from before it; the row and its event commit together.
  const got = await service.get({ jobId, events: 50 });
  return { ...got, events: got.events! };
}
