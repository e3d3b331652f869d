// Real MCP sessions against the built server, spawned as a host would: `agent-queue mcp` over stdio
// or `agent-queue serve` over HTTP. Every process and client a test opens is closed in `cleanup()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach } from 'vitest';
import type { Backend, TestDb } from '../helpers/backends.js';
import { assertBuilt, BIN, cliEnv } from '../helpers/bin.js';
import { makeTempDir } from '../helpers/tmp.js';
import { RawStdio } from './raw-stdio.js';

export { BIN };
// Every harness process runs the built server.
assertBuilt();
export const CLIENT_NAME = 'agent-queue-test';
/** Spawning a few Node processes on a busy 2-core machine takes seconds: give tests room. */
export const MCP_TEST_TIMEOUT_MS = 60_000;
/** The headers of a Streamable HTTP POST to /mcp, for tests that send raw requests with fetch. */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

export interface ToolAnswer<T = Record<string, unknown>> {
  isError: boolean;
  body: T;
  raw: CallToolResult;
}

/** Calls a tool; the answer's text content must be the same JSON as its structuredContent. */
export async function call<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolAnswer<T>> {
  const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = raw.content[0];
  if (first?.type !== 'text') throw new Error(`${name}: expected text content, got ${JSON.stringify(raw)}`);
  const fromText = JSON.parse(first.text) as T;
  if (!raw.isError && JSON.stringify(raw.structuredContent) !== first.text) {
    throw new Error(`${name}: text content differs from structuredContent`);
  }
  return { isError: raw.isError === true, body: fromText, raw };
}

/** Like `call`, but the call must succeed. */
export async function ok<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const a = await call<T>(client, name, args);
  if (a.isError) throw new Error(`${name} failed: ${JSON.stringify(a.body)}`);
  return a.body;
}

export interface Served {
  child: ChildProcess;
  base: URL;
  stderr(): string;
}

export class McpHarness {
  db!: TestDb;
  private readonly home = makeTempDir('mcp-home');
  private readonly clients: Client[] = [];
  private readonly children: ChildProcess[] = [];
  /** The serve that stdio servers go through under AQ_TEST_REMOTE_MCP=1. */
  private remoteServe: Promise<Served> | undefined;

  constructor(private readonly backend: Backend) {}

  /** A fresh, migrated database for this test. */
  async setup(): Promise<this> {
    this.db = await this.backend.create();
    const store = this.db.open();
    await store.migrate();
    await store.close();
    return this;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.db.env, AGENT_QUEUE_HOME: this.home.path, AGENT_QUEUE_LOG_LEVEL: 'warn', ...extra };
  }

  /**
   * `agent-queue mcp <args>` over stdio, connected. With AQ_TEST_REMOTE_MCP=1 the server is
   * `mcp --server` through a `serve` on this database (one per test), with no database of its own:
   * a suite run that way checks the remote mode answers alike (tasks excepted: docs/mcp.md).
   */
  async stdio(args: string[] = [], env: Record<string, string> = {}): Promise<Client> {
    const remote = process.env.AQ_TEST_REMOTE_MCP === '1';
    if (remote) {
      const { base } = await (this.remoteServe ??= this.serve());
      args = ['--server', base.href, ...args];
      env = { DATABASE_URL: 'postgres://127.0.0.1:9/not-used-by-remote-mode', ...env };
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', ...args],
      env: cliEnv(this.env(env)) as Record<string, string>,
      stderr: 'inherit',
    });
    const client = new Client({ name: CLIENT_NAME, version: '1.0.0' });
    this.clients.push(client);
    await client.connect(transport);
    return client;
  }

  /** `agent-queue <args>` (default `mcp`) seen as raw lines, initialized (see raw-stdio.ts). */
  async raw(args: string[] = ['mcp'], env: Record<string, string> = {}): Promise<RawStdio> {
    const raw = new RawStdio(this.spawn(args, env));
    await raw.initialize();
    return raw;
  }

  /** A raw child process (for lifecycle tests that talk JSON-RPC themselves). */
  spawn(args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: cliEnv(this.env(env)),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return child;
  }

  /** `agent-queue serve --port 0 <args>`; resolves once it logged the port it listens on. */
  async serve(args: string[] = []): Promise<Served> {
    const child = this.spawn(['serve', '--port', '0', ...args], { AGENT_QUEUE_LOG_LEVEL: 'info' });
    let err = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString('utf8');
        const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
    });
    return { child, base: new URL(`http://127.0.0.1:${port}`), stderr: () => err };
  }

  track(client: Client): Client {
    this.clients.push(client);
    return client;
  }

  /** A Client connected over Streamable HTTP to a `serve` at `base`, with its transport (session id). */
  async http(
    base: URL,
    name = CLIENT_NAME,
  ): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = this.track(new Client({ name, version: '1.0.0' }));
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', base));
    await client.connect(transport);
    return { client, transport };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close().catch(() => {})));
    await Promise.all(this.children.splice(0).map(stop));
    await this.db?.drop();
    this.home.remove();
  }
}

/**
 * Gives every test of the enclosing describe a fresh harness on the backend (through `set`) and
 * cleans it up afterwards: its processes, clients, database and home folder.
 */
export function useMcpHarness(backend: Backend, set: (h: McpHarness) => void): void {
  let current: McpHarness | undefined;
  beforeEach(async () => {
    current = await new McpHarness(backend).setup();
    set(current);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
}

/** Ends a child: SIGTERM, then SIGKILL if it lingers; resolves when it is gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
