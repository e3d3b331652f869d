// `agent-queue` / `agent-queue mcp`: MCP over stdio, what an IDE host launches from its config.
// stdout carries the protocol, so logs go to stderr. Exits when stdin closes or on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { globalOptions } from './context.js';
import type { Logger } from '../log.js';
import type { Settings } from '../settings/types.js';
import { startLifecycle, startRunning } from './lifecycle.js';
import { addSettingFlags } from './setting-flags.js';

/** `isDefault`: also what runs when no command is named (off when argv names an unknown one, so it is reported). */
export function registerMcp(program: Command, isDefault = true): void {
  addSettingFlags(
    program
      .command('mcp', { isDefault })
      .description('Serve MCP over stdio (the default command; what an MCP host launches).')
      .showHelpAfterError(false),
    { command: 'mcp' },
  ).action(async (_flags: unknown, cmd: Command) => {
    const settings = globalOptions(cmd).settings();
    // Loaded here, not at the top: every other command starts faster without the MCP SDK.
    const [{ StdioTransport }, { createServer }] = await Promise.all([
      import('../mcp/stdio.js'),
      import('../mcp/server.js'),
    ]);
    const log = createLogger(settings.log.level);
    const { server: remoteServer, token } = settings.remote;
    // Through a remote serve (--server) this process never opens the database and sweeps nothing:
    // serve does both. A serve that is down answers each call `unavailable`; this keeps serving.
    const { queue, running } = remoteServer
      ? {
          queue: new (await import('../client/mcp-remote-queue.js')).McpRemoteQueue({
            server: remoteServer,
            token,
            // Without a token or a fixed id, this session's worker id is its own (McpRemoteQueue).
            ownWorkerId: token === undefined && settings.worker.id === undefined,
          }),
          running: startLifecycle(log),
        }
      : await local(settings, log);
    const mcp = createServer(queue, {
      mcp: settings.mcp,
      worker: settings.worker,
      log,
      reportsDelivery: true,
      queue: settings.scope.queue,
      ...(remoteServer ? { remote: { token: token !== undefined } } : {}),
    });
    running.onShutdown(async () => {
      await mcp.close();
      // Let go of stdin so the process can exit even when the host keeps the pipe open.
      process.stdin.destroy();
    });
    // Hosts do not always kill the server: a closed stdin is the signal that the session is over.
    // Nothing more is claimed from that moment (a host killed while we long-poll has closed it):
    // long-polls stop at once and a claim landing after it is released, not answered.
    const inputEnded = () => {
      mcp.stop('stdin_closed');
      void running.shutdown('stdin closed');
    };
    process.stdin.once('end', inputEnded);
    process.stdin.once('close', inputEnded);
    mcp.server.server.onclose = () => void running.shutdown('transport closed');
    await mcp.server.connect(
      new StdioTransport({
        payloadLimitBytes: settings.queue.payloadLimitBytes,
        onDelivery: (id, ok) => mcp.delivered(id, ok),
      }),
    );
    if (process.stdin.isTTY) {
      process.stderr.write(
        'agent-queue: MCP server on stdio, waiting for an MCP host. For the command line: agent-queue --help\n',
      );
    }
    log.debug({ ...settings.mcp, remote: remoteServer !== undefined }, 'MCP server ready on stdio');
  });
}

/** The database in this process, opened lazily, with its sweeper. */
async function local(settings: Settings, log: Logger) {
  const running = await startRunning(settings, log);
  return { queue: running.queue.service, running };
}
