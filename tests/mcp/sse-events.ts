// Raw Streamable HTTP for tests that need what the SDK client hides: event ids, the `retry:` hint,
// cutting a stream in the middle and reconnecting with Last-Event-ID.
import { MCP_HEADERS } from './harness.js';

export interface SseEvent {
  id?: string;
  retry?: number;
  event?: string;
  data: string;
}

/** Reads SSE events one at a time from a response body; `cut()` drops the connection. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<string>;
  private buffer = '';

  constructor(
    res: Response,
    private readonly abort: AbortController,
  ) {
    if (!res.body) throw new Error(`no body (status ${res.status})`);
    this.reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event (comments such as keep-alives skipped); throws if the stream ends first. */
  async next(): Promise<SseEvent> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const ev = parse(block);
        if (ev) return ev;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`stream ended; unread: ${JSON.stringify(this.buffer)}`);
      this.buffer += value;
    }
  }

  /** The next event whose data is a JSON-RPC message matching `pred`. */
  async nextMessage(
    pred: (m: Record<string, unknown>) => boolean,
  ): Promise<SseEvent & { message: Record<string, unknown> }> {
    for (;;) {
      const ev = await this.next();
      if (!ev.data.trim()) continue;
      const message = JSON.parse(ev.data) as Record<string, unknown>;
      if (pred(message)) return { ...ev, message };
    }
  }

  /** Drops the connection, as a network failure would. */
  async cut(): Promise<void> {
    this.abort.abort();
    await this.reader.cancel().catch(() => {});
  }
}

function parse(block: string): SseEvent | null {
  const ev: SseEvent = { data: '' };
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const name = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    fields++;
    if (name === 'id') ev.id = value;
    else if (name === 'retry') ev.retry = Number(value);
    else if (name === 'event') ev.event = value;
    else if (name === 'data') ev.data += (ev.data ? '\n' : '') + value;
  }
  return fields ? ev : null;
}

/** A raw session speaking `protocolVersion` (2025-11-25 and later get a priming event per stream). */
export class RawHttpSession {
  private constructor(
    readonly url: URL,
    readonly sessionId: string,
    readonly protocolVersion: string,
  ) {}

  static async open(base: URL, protocolVersion = '2025-11-25'): Promise<RawHttpSession> {
    const url = new URL('/mcp', base);
    const res = await fetch(url, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } },
      }),
    });
    const sessionId = res.headers.get('mcp-session-id');
    if (res.status !== 200 || !sessionId) throw new Error(`initialize: ${res.status} ${await res.text()}`);
    await res.text();
    const s = new RawHttpSession(url, sessionId, protocolVersion);
    const ack = await s.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (ack.status !== 202) throw new Error(`initialized: ${ack.status}`);
    return s;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...MCP_HEADERS,
      'mcp-session-id': this.sessionId,
      'mcp-protocol-version': this.protocolVersion,
      ...extra,
    };
  }

  post(message: unknown, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(message),
      ...(signal ? { signal } : {}),
    });
  }

  /** POSTs a tools/call and returns its open event stream. */
  async callStream(
    id: number,
    name: string,
    args: Record<string, unknown>,
    progressToken?: string,
  ): Promise<SseReader> {
    const abort = new AbortController();
    const params = { name, arguments: args, ...(progressToken ? { _meta: { progressToken } } : {}) };
    const res = await this.post({ jsonrpc: '2.0', id, method: 'tools/call', params }, abort.signal);
    if (res.status !== 200) throw new Error(`tools/call ${name}: ${res.status} ${await res.text()}`);
    return new SseReader(res, abort);
  }

  /** GET /mcp with Last-Event-ID: the resumed stream, or the refusal. */
  async resume(lastEventId: string): Promise<{ res: Response; events: () => SseReader }> {
    const abort = new AbortController();
    const res = await fetch(this.url, {
      method: 'GET',
      headers: this.headers({ accept: 'text/event-stream', 'last-event-id': lastEventId }),
      signal: abort.signal,
    });
    return { res, events: () => new SseReader(res, abort) };
  }
}
