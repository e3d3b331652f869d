// Streamable HTTP at /mcp with sessions: an `initialize` POST creates a transport and its own
// McpServer (so each session has its own worker identity); later requests carry Mcp-Session-Id.
// Sessions end on DELETE, after an hour without requests (clients that just went away), or when the
// session cap needs room (sessions.ts). SSE events carry ids and are kept per session (event-store.ts),
// so a client whose stream broke resumes with GET + Last-Event-ID and still gets its answer.
// With tokens on, a session belongs to the token that initialized it: its worker id is the token's
// name, its tools the token role's, and a request with another token is refused.
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Env, Hono } from 'hono';
import type { QueueService } from '../queue/service.js';
import { createServer, type CreateServerOptions, type QueueMcpServer } from '../mcp/server.js';
import { echo } from '../core/echo.js';
import { DEFAULT_EVENT_LIMITS, SessionEventStore } from './event-store.js';
import { capMessage, type SessionRegistry } from './sessions.js';
import { principalOf } from './auth.js';
import { rpcErrorBody as rpcError } from './errors.js';
import { answeringOn } from '../mcp/response-stream.js';

const IDLE_MS = 60 * 60_000;
const IDLE_CHECK_MS = 60_000;
/** The `retry:` hint of each stream's first event: how soon a client reconnects after a break. */
export const SSE_RETRY_MS = 1000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  mcp: QueueMcpServer;
  events: SessionEventStore;
  /** The token that initialized the session (null: tokens were off). */
  tokenId: string | null;
}

export function mountMcp<E extends Env>(
  app: Hono<E>,
  service: QueueService,
  options: CreateServerOptions,
  registry: SessionRegistry,
): { close(): Promise<void> } {
  const sessions = new Map<string, Session>();
  const end = async (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    registry.remove(id);
    await s.mcp.close().catch(() => {});
    s.events.clear();
  };

  app.all('/mcp', async (c) => {
    const id = c.req.header('mcp-session-id');
    if (id !== undefined) {
      const s = sessions.get(id);
      if (!s)
        return c.json(
          rpcError(
            -32001,
            'Session not found (it ended, was closed to make room for newer sessions, or the server restarted). Start a new session with initialize.',
          ),
          404,
        );
      const caller = principalOf(c);
      if ((caller?.tokenId ?? null) !== s.tokenId) {
        return c.json(
          rpcError(
            -32600,
            'This session was started with another token (or none). Use the token that initialized it, or start a new session with initialize.',
            { code: 'forbidden' },
          ),
          403,
        );
      }
      registry.touch(id);
      const lastEventId = c.req.header('last-event-id');
      if (c.req.method === 'GET' && lastEventId !== undefined) {
        if (!s.events.has(lastEventId)) {
          return c.json(rpcError(-32000, forgottenEvent(lastEventId), { code: 'not_found' }), 400);
        }
        const replay = s.events.finishedReplay(lastEventId);
        if (replay !== null) return new Response(replay, { headers: sseHeaders(id) });
      }
      // A tool call learns from the request's signal that its response stream closed (see
      // response-stream.ts): a long-poll claim then stops, and a job it claimed goes back to the queue.
      return answeringOn(c.req.raw.signal, () => s.transport.handleRequest(c.req.raw));
    }
    if (c.req.method !== 'POST') {
      return c.json(
        rpcError(-32000, 'Bad Request: no Mcp-Session-Id. POST an initialize request to start a session.'),
        400,
      );
    }
    const caller = principalOf(c);
    const mcp = createServer(service, { ...options, principal: caller });
    const tokenId = caller?.tokenId ?? null;
    const events = new SessionEventStore();
    const sid = randomUUID();
    let admitted = false;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sid,
      eventStore: events,
      retryInterval: SSE_RETRY_MS,
      // Only a valid initialize gets here: a bad request never takes a session's place.
      onsessioninitialized: async () => {
        admitted = await registry.admit(sid, 'streamable-http', () => end(sid));
        if (admitted) sessions.set(sid, { transport, mcp, events, tokenId });
      },
      onsessionclosed: () => end(sid),
    });
    await mcp.server.connect(transport);
    registry.watch(sid, transport);
    const res = await transport.handleRequest(c.req.raw);
    if (transport.sessionId && !admitted) {
      // At the cap with every session busy: this one never starts.
      await res.body?.cancel();
      await mcp.close();
      return c.json(
        rpcError(-32000, capMessage(registry.maxSessions), {
          code: 'unavailable',
          maxSessions: registry.maxSessions,
        }),
        503,
      );
    }
    // Not an initialize request: the transport refused it and no session exists to keep.
    if (!transport.sessionId) await mcp.close();
    return res;
  });

  const timer = setInterval(() => {
    for (const id of registry.idleFor(IDLE_MS)) if (sessions.has(id)) void end(id);
  }, IDLE_CHECK_MS);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await Promise.all([...sessions.keys()].map(end));
    },
  };
}

const forgottenEvent = (id: string) =>
  `Last-Event-ID "${echo(id)}" is not among this session's stored events (a session keeps its newest ` +
  `${DEFAULT_EVENT_LIMITS.maxEvents} events, up to ${DEFAULT_EVENT_LIMITS.maxBytes / 1024} KiB). ` +
  'What came after it is lost: repeat the call, or reconnect without Last-Event-ID.';

/** The headers the SDK's transport sends with an event stream. */
const sseHeaders = (sessionId: string) => ({
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  'mcp-session-id': sessionId,
});
