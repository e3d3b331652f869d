// A spawned `agent-queue mcp` seen as raw lines: tests write any bytes to its stdin and read every
// JSON-RPC answer from its stdout. An SDK Client can share the same process through `transport()`;
// answers to the ids it sent go to it, everything else stays here.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export type Answer = {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: Record<string, unknown> };
};

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'raw-stdio', version: '1' },
  },
};

/** The JSON of a tools/call answer's text content, parsed the way a client parses it. */
export function toolBody<T = Record<string, unknown>>(answer: Answer): T {
  const result = answer.result as { content: { text: string }[] } | undefined;
  const text = result?.content[0]?.text;
  if (text === undefined) throw new Error(`not a tools/call answer: ${JSON.stringify(answer)}`);
  return JSON.parse(text) as T;
}

export class RawStdio {
  /** Answers not taken by the SDK client, in arrival order. */
  readonly answers: Answer[] = [];
  /** stdout lines that were not JSON: always a bug (stdout belongs to the protocol). */
  readonly strayLines: string[] = [];
  private pending = '';
  private stderrText = '';
  private waiters: (() => void)[] = [];
  private client: Transport | undefined;
  private readonly clientIds = new Set<unknown>();
  private nextId = 1;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => this.onStdout(text));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString('utf8')));
    child.once('exit', () => this.wake());
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Writes bytes as they are (add the newline yourself), honouring backpressure. */
  async write(bytes: string | Buffer): Promise<void> {
    if (!this.child.stdin!.write(bytes)) await once(this.child.stdin!, 'drain');
  }

  /** Writes one message as a line and resolves with the next answer that is not the client's. */
  async roundTrip(line: string | Buffer, timeoutMs = 20_000): Promise<Answer> {
    const seen = this.answers.length;
    await this.write(line);
    return this.answerAt(seen, timeoutMs);
  }

  /** The answer with this id (waiting for it). */
  async answerFor(id: unknown, timeoutMs = 20_000): Promise<Answer> {
    return this.waitFor(
      () => this.answers.find((a) => a.id === id),
      `an answer with id ${String(id)}`,
      timeoutMs,
    );
  }

  /** The n-th answer (0-based) not taken by the client. */
  async answerAt(n: number, timeoutMs = 20_000): Promise<Answer> {
    return this.waitFor(() => this.answers[n], `answer #${n}`, timeoutMs);
  }

  /**
   * Sends a request whose params are raw JSON text (so they can hold what JSON.stringify would not
   * write, such as an own "__proto__" key) and resolves with its answer.
   */
  async request(method: string, params: string, timeoutMs = 20_000): Promise<Answer> {
    const id = `request-${this.nextId++}`;
    const line = `{"jsonrpc":"2.0","id":"${id}","method":${JSON.stringify(method)},"params":${params}}\n`;
    await this.write(line);
    return this.answerFor(id, timeoutMs);
  }

  async initialize(): Promise<void> {
    const answer = await this.roundTrip(`${JSON.stringify(INITIALIZE)}\n`);
    if (!answer.result) throw new Error(`initialize failed: ${JSON.stringify(answer)}`);
    await this.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  }

  /** Peak resident memory of the server process so far, in bytes (Linux). */
  peakRssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (kb === undefined) throw new Error('no VmHWM in /proc/<pid>/status');
    return Number(kb) * 1024;
  }

  /** A transport for an SDK Client over this same process. */
  transport(): Transport {
    const t: Transport = {
      start: async () => {},
      send: async (message: JSONRPCMessage) => {
        if ('id' in message && 'method' in message) this.clientIds.add(message.id);
        await this.write(`${JSON.stringify(message)}\n`);
      },
      close: async () => {
        this.client = undefined;
        t.onclose?.();
      },
    };
    this.client = t;
    return t;
  }

  private onStdout(text: string): void {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      let msg: Answer & { method?: unknown };
      try {
        msg = JSON.parse(line) as Answer;
      } catch {
        this.strayLines.push(line);
        continue;
      }
      const forClient = this.client && (msg.method !== undefined || this.clientIds.has(msg.id));
      if (forClient) this.client!.onmessage?.(msg as JSONRPCMessage);
      else this.answers.push(msg);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (!this.alive) throw new Error(`server exited before ${what}; stderr: ${this.stderrText}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; stderr: ${this.stderrText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
