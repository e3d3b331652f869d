// `agent-queue serve`: MCP over Streamable HTTP at /mcp (+ legacy /sse, /messages), the REST API
// under /api, /metrics, /healthz and the dashboard at /; bound to loopback, or to any address once a
// bearer token exists.
// Logs to stderr, like every command; never a token, an Authorization header or a payload.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { QueueError } from '../core/errors.js';
import { globalOptions, reportError } from './context.js';
import { startRunning } from './lifecycle.js';
import { addSettingFlags } from './setting-flags.js';

export function registerServe(program: Command): void {
  addSettingFlags(
    program
      .command('serve')
      .description(
        'Serve the dashboard (/), the REST API (/api), MCP over Streamable HTTP (/mcp, legacy SSE at /sse) and /metrics on 127.0.0.1 (another --host needs a token: see `token create`).',
      )
      .showHelpAfterError(false),
    { command: 'serve' },
  ).action(async (_flags: unknown, cmd: Command) => {
    const settings = globalOptions(cmd).settings();
    const { http } = settings;
    // Loaded here, not at the top: other commands start faster without the HTTP stack and MCP SDK.
    const [{ serve }, { createApp }, { bindRefusal, isLoopbackBind }] = await Promise.all([
      import('@hono/node-server'),
      import('../http/app.js'),
      import('../http/bind.js'),
    ]);
    const log = createLogger(settings.log.level);
    const running = await startRunning(settings, log);
    const publicBind = !isLoopbackBind(http.host);
    if (publicBind) {
      // Off loopback only behind tokens; a database that cannot say whether one exists refuses too.
      const refusal = await running.queue.service.tokens.isRequired().then(
        (exist) => bindRefusal(http.host, exist),
        (err: unknown) => err,
      );
      if (refusal) {
        process.exitCode = reportError(refusal);
        log.level = 'silent';
        await running.shutdown('refused to bind');
        return;
      }
    }
    const app = createApp({
      requireTokens: publicBind,
      service: running.queue.service,
      mcp: { mcp: settings.mcp, worker: settings.worker, log },
      origins: http.origins,
      payloadLimitBytes: settings.queue.payloadLimitBytes,
      maxSessions: http.maxSessions,
    });
    const server = serve(
      { fetch: app.app.fetch, hostname: http.host, port: http.port },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        // The one line a person starting `npm start` looks for, first on stdout (logs are stderr).
        process.stdout.write(`agent-queue dashboard: ${dashboardUrl(info)}\n`);
        log.info({ url: `http://${host}:${info.port}/mcp`, port: info.port }, 'listening');
      },
    );
    running.onShutdown(async () => {
      await app.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open.
        (server as Server).closeAllConnections();
      });
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      const listenProblem = listenError(err, http.host, http.port);
      if (listenProblem) {
        process.exitCode = reportError(listenProblem);
        log.level = 'silent'; // that line says it all: no shutdown chatter after it
      } else {
        log.error({ err }, 'HTTP server failed');
        process.exitCode = 1;
      }
      void running.shutdown('HTTP server failed');
    });
  });
}

/**
 * Where a browser on this machine opens the dashboard. A wildcard bind (0.0.0.0, ::) is reached
 * through loopback: the Host guard lets loopback names through, not the wildcard address.
 */
export function dashboardUrl(info: AddressInfo): string {
  const address = info.address === '0.0.0.0' ? '127.0.0.1' : info.address === '::' ? '::1' : info.address;
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${info.port}/`;
}

/** The bind failures a person fixes with a flag, as one coded line instead of a stack. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): QueueError | null {
  const where = `port ${port} on ${host}`;
  const fix: Record<string, string> = {
    EADDRINUSE: `${where} is in use; pass --port (or AGENT_QUEUE_PORT; 0 picks a free one) or stop the other process`,
    EACCES: `${where} needs privileges this user lacks; pass --port with a port above 1023`,
    EADDRNOTAVAIL: `${host} is not an address of this machine; pass --host (or AGENT_QUEUE_HOST) with a local address`,
  };
  const message = err.code ? fix[err.code] : undefined;
  return message ? new QueueError('invalid_argument', message, { cause: err }) : null;
}
