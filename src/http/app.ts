// The HTTP surface of `agent-queue serve`: MCP over Streamable HTTP at /mcp, the legacy HTTP+SSE
// endpoints, and /healthz. (The REST API and the dashboard mount here in later releases.)
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { errorBody } from '../mcp/errors.js';
import type { CreateServerOptions } from '../mcp/server.js';
import type { QueueService } from '../queue/service.js';
import { originGuard, type OriginPolicy } from './guard.js';
import { mountMcp } from './mcp-route.js';
import { mountLegacySse } from './sse-route.js';

export interface AppOptions {
  service: QueueService;
  mcp: CreateServerOptions;
  origins: OriginPolicy;
}

export interface HttpApp {
  app: Hono<{ Bindings: HttpBindings }>;
  /** Ends every MCP session (stdio-like cleanup for HTTP clients). */
  close(): Promise<void>;
}

export function createApp(opts: AppOptions): HttpApp {
  const app = new Hono<{ Bindings: HttpBindings }>();
  const guard = originGuard(opts.origins);
  app.use('/mcp', guard);
  app.use('/sse', guard);
  app.use('/messages', guard);
  // Healthy = the database answers; 503 lets a load balancer or supervisor notice.
  app.get('/healthz', async (c) => {
    try {
      await opts.service.control.state();
      return c.json({ ok: true });
    } catch (err) {
      return c.json({ ok: false, error: errorBody(err).error }, 503);
    }
  });
  const mcp = mountMcp(app, opts.service, opts.mcp);
  const sse = mountLegacySse(app, opts.service, opts.mcp);
  return {
    app,
    async close() {
      await Promise.all([mcp.close(), sse.close()]);
    },
  };
}
