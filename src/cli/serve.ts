// `agent-queue serve`: MCP over Streamable HTTP at /mcp (+ legacy /sse, /messages) and /healthz,
// bound to loopback. Logs to stderr, like every command.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { loadHttpOptions, type HttpFlags } from '../http/options.js';
import { createLogger } from '../log.js';
import { startRunning } from './lifecycle.js';
import { addMcpOptions, mcpSetup, type McpCliFlags } from './mcp-options.js';

export function registerServe(program: Command): void {
  addMcpOptions(
    program
      .command('serve')
      .description('Serve MCP over Streamable HTTP at /mcp (and legacy SSE at /sse) on 127.0.0.1.')
      .showHelpAfterError(false)
      .option(
        '--host <address>',
        'bind address; loopback only until tokens exist (env AGENT_QUEUE_HOST; default 127.0.0.1)',
      )
      .option('--port <port>', 'port, 0 = any free one (env AGENT_QUEUE_PORT; default 8787)')
      .option('--allowed-hosts <list>', 'extra Host header names to accept (env AGENT_QUEUE_ALLOWED_HOSTS)')
      .option(
        '--allowed-origins <list>',
        'extra browser origins to accept (env AGENT_QUEUE_ALLOWED_ORIGINS)',
      ),
  ).action(async (flags: McpCliFlags & HttpFlags, cmd: Command) => {
    const { config, options } = mcpSetup(flags, cmd);
    const http = loadHttpOptions(flags);
    // Loaded here, not at the top: other commands start faster without the HTTP stack and MCP SDK.
    const [{ serve }, { createApp }] = await Promise.all([
      import('@hono/node-server'),
      import('../http/app.js'),
    ]);
    const log = createLogger(config.logLevel);
    const running = await startRunning(config, log);
    const app = createApp({
      service: running.queue.service,
      mcp: { ...options, log },
      origins: http.origins,
      payloadLimitBytes: config.settings.payloadLimitBytes,
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
