// JSON-RPC over a spawned server's stdin/stdout, as a host speaks it. Unlike the SDK's
// StdioClientTransport the test owns the child: it can run it as another user, and it sees every
// exit code and signal, so a server that died without being killed counts as a crash.
import type { ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC over a child's stdin/stdout, as a host speaks it. */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly child: ChildProcess) {}

  async start(): Promise<void> {
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      try {
        for (let m = this.buffer.readMessage(); m; m = this.buffer.readMessage()) this.onmessage?.(m);
      } catch (err) {
        this.onerror?.(err as Error);
      }
    });
    // Writing to a killed server fails with EPIPE: the pending call rejects, nothing else to do.
    this.child.stdin!.on('error', (err) => this.onerror?.(err));
    this.child.once('close', () => this.onclose?.());
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child.stdin!;
      if (!stdin.writable) return reject(new Error('the server is gone'));
      stdin.write(serializeMessage(message), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closing stdin is how a host ends a stdio session; the server exits on its own. */
  async close(): Promise<void> {
    this.child.stdin!.end();
  }
}
