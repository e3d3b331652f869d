// `agent-queue mcp --server URL` as a host launches it, against a real `agent-queue serve` spawned on
// the harness's database. The remote MCP process gets no usable database: DATABASE_URL names a port
// where nothing listens, so a call that reached for the database instead of serve would fail.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ChildProcess } from 'node:child_process';
import { QueueService } from '../../src/queue/service.js';
import type { Role } from '../../src/queue/permissions.js';
import { BIN, cliEnv } from '../helpers/bin.js';
import { CLIENT_NAME, type McpHarness } from './harness.js';

/** Where a database would be if the remote MCP server (wrongly) opened one: nothing listens there. */
export const NO_DATABASE = 'postgres://127.0.0.1:9/not-used-by-remote-mode';

export interface RemoteOptions {
  token?: string;
  /** Extra flags after `mcp --server URL`. */
  args?: string[];
  env?: Record<string, string>;
}

/** The environment of a remote `agent-queue mcp`: home and log level from the harness, no database. */
export function remoteEnv(h: McpHarness, extra: Record<string, string> = {}): Record<string, string> {
  const { DATABASE_URL: _url, AGENT_QUEUE_PG_SCHEMA: _schema, ...rest } = h.env();
  return cliEnv({ ...rest, DATABASE_URL: NO_DATABASE, ...extra }) as Record<string, string>;
}

/** `agent-queue mcp --server <base>` over stdio, connected with the real SDK client. */
export async function remoteMcp(h: McpHarness, base: URL, opts: RemoteOptions = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--server', base.href, ...(opts.args ?? [])],
    env: remoteEnv(h, { ...(opts.token ? { AGENT_QUEUE_TOKEN: opts.token } : {}), ...opts.env }),
    stderr: 'inherit',
  });
  const client = h.track(new Client({ name: CLIENT_NAME, version: '1.0.0' }));
  await client.connect(transport);
  return client;
}

/** The raw argv of a remote MCP server, for tests that talk JSON-RPC themselves (RawStdio). */
export function remoteArgs(base: URL): string[] {
  return ['mcp', '--server', base.href];
}

/** A service on the harness's database, for tokens and for checking rows; closed with `close`. */
export function directQueue(h: McpHarness): { service: QueueService; close(): Promise<void> } {
  const store = h.db.open();
  const service = new QueueService({ store });
  return {
    service,
    async close() {
      await service.close();
      await store.close();
    },
  };
}

/** Creates tokens (before serve starts, so serve requires them from its first request). */
export async function createTokens(
  service: QueueService,
  specs: { name: string; role: Role; types?: string[] }[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of specs) out[spec.name] = (await service.tokens.create(spec)).token;
  return out;
}

/** Resolves once the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
