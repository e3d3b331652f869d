// Streamable HTTP at /mcp with sessions: an `initialize` POST creates a transport and its own
// McpServer (so each session has its own worker identity); later requests carry Mcp-Session-Id.
// Sessions end on DELETE, or after an hour without requests (clients that just went away).
// With tokens on, a session belongs to the token that initialized it: its worker id is the token's
// name, its tools the token role's, and a request with another token is refused.
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Env, Hono } from 'hono';
import type { QueueService } from '../queue/service.js';
import { createServer, type CreateServerOptions, type QueueMcpServer } from '../mcp/server.js';
import { principalOf } from './auth.js';

const IDLE_MS = 60 * 60_000;
const IDLE_CHECK_MS = 60_000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  mcp: QueueMcpServer;
  lastSeen: number;
  /** The token that initialized the session (null: tokens were off). */
  tokenId: string | null;
}

const rpcError = (code: number, message: string, queueCode?: string) => ({
  jsonrpc: '2.0',
  error: { code, message, ...(queueCode ? { data: { code: queueCode } } : {}) },
  id: null,
});

export function mountMcp<E extends Env>(
  app: Hono<E>,
  service: QueueService,
  options: CreateServerOptions,
): { close(): Promise<void> } {
  const sessions = new Map<string, Session>();
  const end = async (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await s.mcp.close().catch(() => {});
  };

  app.all('/mcp', async (c) => {
    const id = c.req.header('mcp-session-id');
    if (id !== undefined) {
      const s = sessions.get(id);
      if (!s)
        return c.json(
          rpcError(
            -32001,
            'Session not found (it ended or the server restarted). Start a new session with initialize.',
          ),
          404,
        );
      const caller = principalOf(c);
      if ((caller?.tokenId ?? null) !== s.tokenId) {
        return c.json(
          rpcError(
            -32600,
            'This session was started with another token (or none). Use the token that initialized it, or start a new session with initialize.',
            'forbidden',
          ),
          403,
        );
      }
      s.lastSeen = Date.now();
      return s.transport.handleRequest(c.req.raw);
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
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) =>
        void sessions.set(sid, { transport, mcp, lastSeen: Date.now(), tokenId }),
      onsessionclosed: (sid) => end(sid),
    });
    await mcp.server.connect(transport);
    const res = await transport.handleRequest(c.req.raw);
    // Not an initialize request: the transport refused it and no session exists to keep.
    if (!transport.sessionId) await mcp.close();
    return res;
  });

  const timer = setInterval(() => {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, s] of sessions) if (s.lastSeen < cutoff) void end(id);
  }, IDLE_CHECK_MS);
  timer.unref();

  return {
    async close() {
      clearInterval(timer);
      await Promise.all([...sessions.keys()].map(end));
    },
  };
}
