// `agent-queue serve`: MCP over Streamable HTTP at /mcp (+ legacy /sse, /messages) and /healthz,
// bound to loopback. Logs to stderr, like every command.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { globalOptions } from './context.js';
import { startRunning } from './lifecycle.js';
import { addSettingFlags } from './setting-flags.js';

export function registerServe(program: Command): void {
  addSettingFlags(
    program
      .command('serve')
      .description('Serve MCP over Streamable HTTP at /mcp (and legacy SSE at /sse) on 127.0.0.1.')
      .showHelpAfterError(false),
    { command: 'serve' },
  ).action(async (_flags: unknown, cmd: Command) => {
    const settings = globalOptions(cmd).settings();
    const { http } = settings;
    // Loaded here, not at the top: other commands start faster without the HTTP stack and MCP SDK.
    const [{ serve }, { createApp }] = await Promise.all([
      import('@hono/node-server'),
      import('../http/app.js'),
    ]);
    const log = createLogger(settings.log.level);
    const running = await startRunning(settings, log);
    const app = createApp({
      service: running.queue.service,
      mcp: { mcp: settings.mcp, worker: settings.worker, log },
      origins: http.origins,
      payloadLimitBytes: settings.queue.payloadLimitBytes,
    });
    const server = serve(
      { fetch: app.app.fetch, hostname: http.host, port: http.port },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
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
    server.once('error', (err) => {
      log.error({ err }, 'HTTP server failed');
      process.exitCode = 1;
      void running.shutdown('HTTP server failed');
    });
  });
}
