// Real `agent-queue mcp` stdio servers, spawned as a host spawns them, each with an SDK Client over a
// transport of our own: unlike StdioClientTransport it lets the test see every exit code and signal,
// so a server that died without being killed is counted as a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ChildStdioTransport } from '../helpers/child-transport.js';
import { cliEnv } from '../helpers/cli.js';
import { BIN, CLIENT_NAME } from '../mcp/harness.js';

export interface McpProcess {
  child: ChildProcess;
  client: Client;
  pid: number;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** The servers of one scenario: spawn, SIGKILL, stop; counts the ones that died on their own. */
export class McpFleet {
  private readonly live = new Set<McpProcess>();
  private readonly killed = new WeakSet<McpProcess>();
  private readonly stopping = new WeakSet<McpProcess>();
  private readonly exits: Promise<unknown>[] = [];
  /** Servers that died without being killed, or exited non-zero when asked to stop; with their stderr. */
  readonly crashes: string[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async spawn(args: string[] = []): Promise<McpProcess> {
    const child = spawn(process.execPath, [BIN, 'mcp', ...args], {
      env: cliEnv(this.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4_000)));
    const exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    const p: McpProcess = {
      child,
      client: new Client({ name: CLIENT_NAME, version: '1.0.0' }),
      pid: child.pid!,
      exited,
      stderr: () => err,
    };
    this.live.add(p);
    this.exits.push(
      exited.then(({ code, signal }) => {
        this.live.delete(p);
        if (this.killed.has(p)) return;
        // A stop that ends non-zero means the orderly shutdown hung and the lifecycle forced the exit.
        if (this.stopping.has(p) && code === 0) return;
        this.crashes.push(`pid ${p.pid} exited code=${code} signal=${signal}: ${err}`);
      }),
    );
    await p.client.connect(new ChildStdioTransport(child));
    return p;
  }

  /** SIGKILL: no chance to clean up, exactly what a crashed host or OOM killer does. */
  kill9(p: McpProcess): void {
    this.killed.add(p);
    p.child.kill('SIGKILL');
  }

  /** SIGTERM, as a host or supervisor stops a server: it must exit 0 after an orderly shutdown. */
  terminate(p: McpProcess): void {
    this.stopping.add(p);
    p.child.kill('SIGTERM');
  }

  /** Ends every live server the way a host does (close stdin), SIGKILL if one lingers; waits for all exits. */
  async stopAll(): Promise<void> {
    for (const p of this.live) {
      this.stopping.add(p);
      void p.client.close().catch(() => {});
      setTimeout(() => p.child.kill('SIGKILL'), 5_000).unref();
    }
    await Promise.all(this.exits);
  }
}
