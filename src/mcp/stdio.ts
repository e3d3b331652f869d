// MCP over stdin/stdout, one JSON-RPC message per line. Unlike the SDK's StdioServerTransport (whose
// 10 MiB read buffer, once exceeded, closes the session) a line over the cap is dropped as it streams
// in and answered, and every line that is not a JSON-RPC message gets a JSON-RPC error: a client
// waiting on an id hears back, where the SDK's transport only reports to onerror.
import process from 'node:process';
import type { Readable, Writable } from 'node:stream';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  JSONRPCMessageSchema,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { maxRequestBytes } from '../core/limits.js';
import { LineReader, recoverId, type Line } from './stdio-lines.js';

export interface StdioOptions {
  payloadLimitBytes: number;
  stdin?: Readable;
  stdout?: Writable;
  /**
   * Told, for every answer (a response to a request), whether it was handed to stdout: false when
   * the write failed (EPIPE: the host is gone), so a claim made for it can be released.
   */
  onDelivery?: (id: RequestId, ok: boolean) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Parser messages quote the input; a line can be megabytes long.
const MAX_DETAIL_CHARS = 200;

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly stdin: Readable;
  private readonly stdout: Writable;
  private readonly lineLimit: number;
  private readonly payloadLimit: number;
  private readonly reader: LineReader;
  private readonly onDelivery: StdioOptions['onDelivery'];
  private started = false;

  constructor(options: StdioOptions) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    this.payloadLimit = options.payloadLimitBytes;
    this.onDelivery = options.onDelivery;
    this.lineLimit = maxRequestBytes(options.payloadLimitBytes);
    this.reader = new LineReader(this.lineLimit, (line) => this.handle(line));
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
    this.stdout.on('error', this.onStreamError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const answers = 'id' in message && ('result' in message || 'error' in message) ? message.id : undefined;
    const report = this.onDelivery;
    return this.write(
      serializeMessage(message),
      answers === undefined || !report ? undefined : (ok) => report(answers, ok),
    );
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    this.stdout.off('error', this.onStreamError);
    // Pause only if nobody else reads stdin (as the SDK's transport does).
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }

  private readonly onData = (chunk: Buffer): void => this.reader.push(chunk);
  private readonly onStreamError = (error: Error): void => this.onerror?.(error);

  /**
   * Resolves once the line is handed to stdout, or after `drain` when its buffer is full, or when
   * the write failed (the stream's error reaches onerror). `done` learns whether it was written.
   */
  private write(text: string, done?: (ok: boolean) => void): Promise<void> {
    return new Promise((resolve) => {
      const flushed = this.stdout.write(text, (err) => {
        done?.(!err);
        if (err) resolve();
      });
      if (flushed) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  private handle(line: Line): void {
    if (line.kind === 'oversized') {
      return this.refuse(
        recoverId(line.head, line.tail),
        ErrorCode.InvalidRequest,
        this.tooLong(line.bytes),
        {
          code: 'payload_too_large',
          limitBytes: this.lineLimit,
        },
      );
    }
    let text: string;
    try {
      text = utf8.decode(line.bytes);
    } catch {
      return this.refuse(null, ErrorCode.ParseError, 'Parse error: the line is not valid UTF-8.');
    }
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const detail = (err as Error).message.slice(0, MAX_DETAIL_CHARS);
      return this.refuse(null, ErrorCode.ParseError, `Parse error: the line is not JSON (${detail}).`);
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      return this.refuse(
        requestIdOf(value),
        ErrorCode.InvalidRequest,
        'Invalid request: send one JSON-RPC 2.0 message object per line, e.g. ' +
          '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}} (batches are not supported).',
      );
    }
    try {
      this.onmessage?.(parsed.data);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  private tooLong(bytes: number): string {
    return (
      `Request too large: the message was ${bytes} bytes on one line and this server reads at most ` +
      `${this.lineLimit}. Payloads are limited to ${this.payloadLimit} bytes of JSON: send less data ` +
      '(e.g. a path or URL to it) instead.'
    );
  }

  private refuse(id: RequestId | null, code: number, message: string, data?: Record<string, unknown>): void {
    this.onerror?.(new Error(message));
    const error = data ? { code, message, data } : { code, message };
    // JSON-RPC answers an unreadable id with `id: null`, which the SDK's message types do not model.
    void this.write(`${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`);
  }
}

/** The id to answer a malformed message with: a usable id of something that is not a response. */
function requestIdOf(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if ('result' in value || 'error' in value) return null;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id))) return id;
  return null;
}
