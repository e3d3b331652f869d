// The legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: GET /sse opens the event
// stream and announces /messages?sessionId=…, where the client POSTs its requests. The SDK's
// transport writes to Node's response directly, so these routes hand Hono the raw objects.
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Hono } from 'hono';
import type { QueueService } from '../queue/service.js';
import { createServer, type CreateServerOptions, type QueueMcpServer } from '../mcp/server.js';

interface Session {
  transport: SSEServerTransport;
  mcp: QueueMcpServer;
}

export function mountLegacySse(
  app: Hono<{ Bindings: HttpBindings }>,
  service: QueueService,
  options: CreateServerOptions,
) {
  const sessions = new Map<string, Session>();

  app.get('/sse', async (c) => {
    // The SDK marks this transport deprecated; it remains the only way to serve pre-2025 clients.
    const transport = new SSEServerTransport('/messages', c.env.outgoing);
    const mcp = createServer(service, options);
    sessions.set(transport.sessionId, { transport, mcp });
    // The stream ending (client gone) ends the session: every answer would have gone over it, so
    // long-polls stop and a job claimed from then on is released (InFlight).
    mcp.server.server.onclose = () => void sessions.delete(transport.sessionId);
    c.env.outgoing.once('close', () => void mcp.close().catch(() => {}));
    await mcp.server.connect(transport);
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
