// The legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: GET /sse opens the event
// stream and announces /messages?sessionId=…, where the client POSTs its requests. The SDK's
// transport writes to Node's response directly, so these routes hand Hono the raw objects.
// This protocol has no resumption: a broken stream ends the session, and answers still owed are lost.
// Its sessions count toward the same cap as Streamable HTTP's (sessions.ts).
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Hono } from 'hono';
import { principalOf } from './auth.js';
import type { QueueService } from '../queue/service.js';
import { createServer, type CreateServerOptions, type QueueMcpServer } from '../mcp/server.js';
import { capMessage, type SessionRegistry } from './sessions.js';

interface Session {
  transport: SSEServerTransport;
  mcp: QueueMcpServer;
  /** The token that opened the stream (null: tokens were off); its messages must carry the same. */
  tokenId: string | null;
}

export function mountLegacySse<E extends { Bindings: HttpBindings }>(
  app: Hono<E>,
  service: QueueService,
  options: CreateServerOptions,
  registry: SessionRegistry,
) {
  const sessions = new Map<string, Session>();

  app.get('/sse', async (c) => {
    // The SDK marks this transport deprecated; it remains the only way to serve pre-2025 clients.
    const transport = new SSEServerTransport('/messages', c.env.outgoing);
    const caller = principalOf(c);
    const mcp = createServer(service, { ...options, principal: caller });
    const sid = transport.sessionId;
    if (!(await registry.admit(sid, 'legacy-sse', () => mcp.close()))) {
      await mcp.close();
      return c.json({ error: { code: 'unavailable', message: capMessage(registry.maxSessions) } }, 503);
    }
    sessions.set(sid, { transport, mcp, tokenId: caller?.tokenId ?? null });
    // The stream ending (client gone, or closed for the cap) ends the session: every answer would
    // have gone over it, so long-polls stop and a job claimed from then on is released (InFlight).
    mcp.server.server.onclose = () => {
      sessions.delete(sid);
      registry.remove(sid);
    };
    c.env.outgoing.once('close', () => void mcp.close().catch(() => {}));
    await mcp.server.connect(transport);
    registry.watch(sid, transport);
    return RESPONSE_ALREADY_SENT;
  });

  app.post('/messages', async (c) => {
    const s = sessions.get(c.req.query('sessionId') ?? '');
    if (!s) {
      return c.json(
        {
          error: {
            code: 'not_found',
            message: 'Unknown sessionId. Open GET /sse first and POST to the endpoint it announces.',
          },
        },
        404,
      );
    }
    if ((principalOf(c)?.tokenId ?? null) !== s.tokenId) {
      return c.json(
        {
          error: {
            code: 'forbidden',
            message:
              'This session was opened with another token (or none). Send the token that opened GET /sse.',
          },
        },
        403,
      );
    }
    registry.touch(s.transport.sessionId);
    await s.transport.handlePostMessage(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });

  return {
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.mcp.close().catch(() => {})));
      sessions.clear();
    },
  };
}
