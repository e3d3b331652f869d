// Streamable HTTP at /mcp with sessions: an `initialize` POST creates a transport and its own
// McpServer (so each session has its own worker identity); later requests carry Mcp-Session-Id.
// Sessions end on DELETE, or after an hour without requests (clients that just went away).
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Env, Hono } from 'hono';
import type { QueueService } from '../queue/service.js';
import { createServer, type CreateServerOptions, type QueueMcpServer } from '../mcp/server.js';
import { answeringOn } from '../mcp/response-stream.js';

const IDLE_MS = 60 * 60_000;
const IDLE_CHECK_MS = 60_000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  mcp: QueueMcpServer;
  lastSeen: number;
}

const rpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

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
      s.lastSeen = Date.now();
      // A tool call learns from the request's signal that its response stream closed (see
      // response-stream.ts): a long-poll then stops, and a job it claimed goes back to the queue.
      return answeringOn(c.req.raw.signal, () => s.transport.handleRequest(c.req.raw));
    }
    if (c.req.method !== 'POST') {
      return c.json(
        rpcError(-32000, 'Bad Request: no Mcp-Session-Id. POST an initialize request to start a session.'),
        400,
      );
    }
    const mcp = createServer(service, options);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => void sessions.set(sid, { transport, mcp, lastSeen: Date.now() }),
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
