// The HTTP surface of `agent-queue serve`: MCP over Streamable HTTP at /mcp, the legacy HTTP+SSE
// endpoints, and /healthz. (The REST API and the dashboard mount here in later releases.)
// Every route but /healthz passes the Host/Origin guard; /mcp, /sse, /messages and /api/* then
// need a bearer token once any exists (auth.ts), and /api/* the permission of its route.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { httpError } from './errors.js';
import { maxRequestBytes } from '../mcp/limits.js';
import type { CreateServerOptions } from '../mcp/server.js';
import type { QueueService } from '../queue/service.js';
import { authenticate, type AuthEnv } from './auth.js';
import { originGuard, type OriginPolicy } from './guard.js';
import { apiPermissions } from './route-permissions.js';
import { mountMcp } from './mcp-route.js';
import { mountLegacySse } from './sse-route.js';

export interface AppOptions {
  service: QueueService;
  mcp: CreateServerOptions;
  origins: OriginPolicy;
  /** The queue's payload limit; MCP request bodies may be a few times larger (see limits.ts). */
  payloadLimitBytes: number;
  /**
   * Listening off loopback: a token is required even when none exists (then nothing is accepted),
   * so revoking the last token never opens a public server. Default false.
   */
  requireTokens?: boolean;
}

export interface HttpApp {
  app: Hono<{ Bindings: HttpBindings } & AuthEnv>;
  /** Ends every MCP session (stdio-like cleanup for HTTP clients). */
  close(): Promise<void>;
}

export function createApp(opts: AppOptions): HttpApp {
  const app = new Hono<{ Bindings: HttpBindings } & AuthEnv>();
  const guard = originGuard(opts.origins);
  for (const path of ['/', '/mcp', '/sse', '/messages', '/api', '/api/*']) app.use(path, guard);
  // A body over the limit is refused before it is parsed (by Content-Length, or counted as it streams in).
  const maxSize = maxRequestBytes(opts.payloadLimitBytes);
  const limit = bodyLimit({
    maxSize,
    onError: (c) =>
      c.json(
        {
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32600,
            message: `Request body over ${maxSize} bytes. Keep payloads under the queue's payload limit (${opts.payloadLimitBytes} bytes): put large content in a file or URL and pass its location.`,
            data: { code: 'payload_too_large', limitBytes: maxSize },
          },
        },
        413,
      ),
  });
  app.use('/mcp', limit);
  // Not on /messages: the legacy SSE transport reads the Node request stream itself (a chunked body
  // read here would leave it nothing) and caps bodies at 4 MB of its own.
  // After the size check, so an oversized body is refused at once, token or not.
  const tokens = opts.service.tokens;
  const always = opts.requireTokens === true;
  for (const path of ['/mcp', '/sse', '/messages']) app.use(path, authenticate(tokens, 'rpc', { always }));
  for (const path of ['/api', '/api/*']) {
    app.use(path, authenticate(tokens, 'rest', { always }), apiPermissions());
  }
  // Healthy = the database answers; 503 lets a load balancer or supervisor notice.
  app.get('/healthz', async (c) => {
    try {
      await opts.service.control.state();
      return c.json({ ok: true });
    } catch (err) {
      // Always 503 here, whatever the code: the process is up, its database is not usable.
      return c.json({ ok: false, error: httpError(err).body.error }, 503);
    }
  });
  // Every session here may be another agent: the tools must not treat a fixed id as one agent's.
  const mcpOptions = { ...opts.mcp, transport: 'http' as const };
  const mcp = mountMcp(app, opts.service, mcpOptions);
  const sse = mountLegacySse(app, opts.service, mcpOptions);
  return {
    app,
    async close() {
      await Promise.all([mcp.close(), sse.close()]);
    },
  };
}
