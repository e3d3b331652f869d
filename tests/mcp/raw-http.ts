// MCP over HTTP with node:http, so a test can drop a connection the way a dying client does
// (destroy the socket, no notifications/cancelled): a Streamable HTTP session at /mcp, or a legacy
// GET /sse stream with its /messages endpoint.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { MCP_HEADERS } from './harness.js';
import { INITIALIZE } from './raw-stdio.js';

/** A response whose body keeps streaming in; `req.destroy()` drops the connection. */
export interface Streaming {
  req: ClientRequest;
  res: IncomingMessage;
  text(): string;
  /** Resolves once the body so far matches `re` (rejects if the response ends first). */
  until(re: RegExp): Promise<RegExpExecArray>;
  /** The whole body, once the response ended. */
  ended: Promise<string>;
}

/** Sends a request on a connection of its own (no keep-alive reuse) and resolves at its response headers. */
export function send(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Streaming> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        const waiters = new Set<() => void>();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          for (const w of waiters) w();
        });
        const ended = new Promise<string>((done, fail) => {
          res.once('end', () => done(text));
          res.once('error', fail);
          res.once('close', () => {
            for (const w of waiters) w();
          });
        });
        ended.catch(() => undefined);
        const until = (re: RegExp) =>
          new Promise<RegExpExecArray>((done, fail) => {
            const check = () => {
              const m = re.exec(text);
              if (m) {
                waiters.delete(check);
                done(m);
              } else if (res.complete || res.destroyed) {
                waiters.delete(check);
                fail(new Error(`response ended without ${String(re)}: ${text}`));
              }
            };
            waiters.add(check);
            check();
          });
        resolve({ req, res, text: () => text, until, ended });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A claim's tools/call request. */
export const claimCall = (id: string, args: Record<string, unknown>) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'queue_claim', arguments: args },
  });

const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/** An initialized Streamable HTTP session; `post` sends one message on it. */
export async function streamableSession(base: URL) {
  const mcp = new URL('/mcp', base);
  const init = await send(mcp, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) });
  const sessionId = init.res.headers['mcp-session-id'] as string;
  await init.ended;
  const headers = { ...MCP_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  const post = (body: string) => send(mcp, { method: 'POST', headers, body });
  expect202((await post(INITIALIZED)).res);
  return { sessionId, post };
}

/** A legacy session: the open GET /sse stream and `post` to the endpoint it announced. */
export async function legacySession(base: URL) {
  const stream = await send(new URL('/sse', base), { headers: { accept: 'text/event-stream' } });
  const [, endpoint] = await stream.until(/event: endpoint\ndata: (\S+)\n/);
  const messages = new URL(endpoint!, base);
  const post = (body: string) =>
    send(messages, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect202((await post(JSON.stringify(INITIALIZE))).res);
  await stream.until(/"id":"init"/);
  expect202((await post(INITIALIZED)).res);
  return { stream, post };
}

function expect202(res: IncomingMessage): void {
  if (res.statusCode !== 202) throw new Error(`expected 202, got ${res.statusCode}`);
  res.resume();
}
