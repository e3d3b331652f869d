// One real `agent-queue mcp` stdio process with an SDK Client on it, owned by the test: unlike the
// SDK's own stdio transport this one can run the child as another user and tells how and why it
// ended (exit code, signal, the last lines of stderr), which is what a crash count needs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ChildStdioTransport } from '../helpers/child-transport.js';
import { cliEnv } from '../helpers/cli.js';
import { BIN, CLIENT_NAME, stop } from '../mcp/harness.js';

const STDERR_KEEP = 4_000;

export interface ToolReply<T = Record<string, unknown>> {
  isError: boolean;
  body: T;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export class McpChild {
  readonly client = new Client({ name: CLIENT_NAME, version: '1.0.0' });
  private err = '';
  private ending = false;
  /** Set once the process is gone: how it ended. */
  exit: { code: number | null; signal: string | null } | null = null;

  private constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', (chunk: Buffer) => {
      this.err = (this.err + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    // 'close', not 'exit': by then stderr is read to the end, crash message included.
    child.once('close', (code, signal) => (this.exit = { code, signal }));
  }

  /** Spawns `agent-queue mcp <args>` with exactly `env` (plus PATH and friends) and connects (initialize). */
  static async start(
    env: Record<string, string>,
    opts: { args?: string[]; uid?: number; gid?: number } = {},
  ): Promise<McpChild> {
    const child = spawn(process.execPath, [BIN, 'mcp', ...(opts.args ?? [])], {
      env: cliEnv({ AGENT_QUEUE_LOG_LEVEL: 'warn', ...env }),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.gid ?? opts.uid }),
    });
    const mcp = new McpChild(child);
    try {
      await mcp.client.connect(new ChildStdioTransport(child));
    } catch (err) {
      // Usually the process died at start: say how, with what it printed.
      await mcp.close();
      throw new Error(
        `agent-queue mcp did not complete initialize (${(err as Error).message}); exit ${JSON.stringify(mcp.exit)}; stderr:\n${mcp.stderr()}`,
      );
    }
    return mcp;
  }

  /** Whether the process ended without the test ending it. */
  get crashed(): boolean {
    return this.exit !== null && !this.ending;
  }

  /** The last few KB the server wrote to stderr (its logs, or the crash). */
  stderr(): string {
    return this.err;
  }

  /** Calls a tool with a bounded wait; the answer's text content parsed as JSON. */
  async tool<T = Record<string, unknown>>(
    name: string,
    args: Record<string, unknown> = {},
    timeoutMs = 20_000,
  ): Promise<ToolReply<T>> {
    const raw = (await this.client.callTool({ name, arguments: args }, undefined, {
      timeout: timeoutMs,
    })) as CallToolResult;
    const first = raw.content[0];
    if (first?.type !== 'text') throw new Error(`${name}: expected text content, got ${JSON.stringify(raw)}`);
    return { isError: raw.isError === true, body: JSON.parse(first.text) as T };
  }

  /** Ends the session as a host does (stdin closes), SIGTERM/SIGKILL if it lingers. */
  async close(): Promise<void> {
    this.ending = true;
    if (this.exit) return;
    const exited = once(this.child, 'close');
    await this.client.close().catch(() => {});
    const timer = setTimeout(() => void stop(this.child), 3_000);
    await exited;
    clearTimeout(timer);
  }
}
