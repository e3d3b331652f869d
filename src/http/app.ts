// The HTTP surface of `agent-queue serve`: MCP over Streamable HTTP at /mcp, the legacy HTTP+SSE
// endpoints, the REST API under /api (docs/http.md), /metrics, /healthz and the dashboard at / with
// its files under /dashboard/ (docs/dashboard.md). Every route but /healthz passes the Host/Origin
// guard; /mcp, /sse, /messages, /api/* and /metrics then need a bearer token once any exists
// (auth.ts), and /api/* the permission of its route. The dashboard's files hold no data: no token.
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { httpError, refuse, type ErrorStyle } from './errors.js';
import { QueueError } from '../core/errors.js';
import { maxRequestBytes } from '../core/limits.js';
import type { CreateServerOptions } from '../mcp/server.js';
import type { QueueService } from '../queue/service.js';
import { authenticate, requirePermission, type AuthEnv } from './auth.js';
import { originGuard, type OriginPolicy } from './guard.js';
import { apiPermissions } from './route-permissions.js';
import { mountMcp } from './mcp-route.js';
import { SessionRegistry } from './sessions.js';
import { mountLegacySse } from './sse-route.js';
import { createMetrics } from './metrics.js';
import { mountRest } from './rest/mount.js';
import { mountDashboard } from './dashboard.js';

export interface AppOptions {
  service: QueueService;
  mcp: CreateServerOptions;
  origins: OriginPolicy;
  /** The queue's payload limit; MCP request bodies may be a few times larger (see limits.ts). */
  payloadLimitBytes: number;
  /** MCP sessions held at once, Streamable HTTP and legacy SSE together (--max-sessions). */
  maxSessions: number;
  /** Live REST event streams held at once; default DEFAULT_MAX_EVENT_STREAMS (rest/mount.ts). */
  maxEventStreams?: number;
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
  for (const path of ['/', '/dashboard/*', '/mcp', '/sse', '/messages', '/api', '/api/*', '/metrics'])
    app.use(path, guard);
  // A body over the limit is refused before it is parsed (by Content-Length, or counted as it streams in).
  const maxSize = maxRequestBytes(opts.payloadLimitBytes);
  const overLimit = (style: ErrorStyle) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        refuse(
          c,
          style,
          new QueueError(
            'payload_too_large',
            `Request body over ${maxSize} bytes. Keep payloads under the queue's payload limit (${opts.payloadLimitBytes} bytes): put large content in a file or URL and pass its location.`,
            { details: { limitBytes: maxSize } },
          ),
        ),
    });
  app.use('/mcp', overLimit('rpc'));
  // The same limit for REST bodies, answered in the REST error shape.
  app.use('/api/*', overLimit('rest'));
  // Not on /messages: the legacy SSE transport reads the Node request stream itself (a chunked body
  // read here would leave it nothing) and caps bodies at 4 MB of its own.
  // After the size check, so an oversized body is refused at once, token or not.
  const tokens = opts.service.tokens;
  const always = opts.requireTokens === true;
  const authOptions = { always, log: opts.mcp.log };
  for (const path of ['/mcp', '/sse', '/messages']) app.use(path, authenticate(tokens, 'rpc', authOptions));
  for (const path of ['/api', '/api/*']) {
    app.use(path, authenticate(tokens, 'rest', authOptions), apiPermissions());
  }
  // Metrics name job types and counts: readable by any token, like the job list.
  app.use('/metrics', authenticate(tokens, 'rest', authOptions), requirePermission('read'));
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
  const sessions = new SessionRegistry({ maxSessions: opts.maxSessions, log: opts.mcp.log });
  const mcp = mountMcp(app, opts.service, mcpOptions, sessions);
  const sse = mountLegacySse(app, opts.service, mcpOptions, sessions);
  mountRest(app, opts.service, {
    log: opts.mcp.log,
    serverTypes: opts.mcp.worker.types,
    maxEventStreams: opts.maxEventStreams,
  });
  mountDashboard(app);
  const metrics = createMetrics(opts.service);
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  return {
    app,
    async close() {
      metrics.close();
      await Promise.all([mcp.close(), sse.close()]);
    },
  };
}
