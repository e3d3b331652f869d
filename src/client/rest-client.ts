// A JSON client for serve's REST API: one request function that turns the API's error body
// `{error: {code, message, details?}}` back into the QueueError the server threw, and anything that
// kept the answer from arriving (refused connection, reset, timeout, a proxy's HTML page) into
// `unavailable`, which callers already retry. No token ever appears in an error or a log line.
import { ERROR_CODES, QueueError, type ErrorCode, type ErrorHint } from '../core/errors.js';
import { REST_HINTS } from '../http/errors.js';
import { echo } from '../core/echo.js';

/** Time an answer may take beyond the long-poll it asked for, before the call counts as lost. */
const GRACE_MS = 30_000;

export interface RestClientOptions {
  /** serve's base URL, e.g. http://queue.internal:8787 (a path prefix is kept). */
  server: string;
  /** A bearer token (aq_…), when the server has tokens on. */
  token?: string | undefined;
}

export interface RequestOptions {
  /** GET: query fields; POST: the JSON body. */
  input?: Record<string, unknown>;
  signal?: AbortSignal | undefined;
  /** The server may hold the call this long (a long-poll); the deadline is this plus a grace. */
  holdSeconds?: number;
}

export class RestClient {
  readonly base: URL;
  private readonly token: string | undefined;

  constructor(opts: RestClientOptions) {
    this.base = parseServerUrl(opts.server);
    this.token = opts.token;
  }

  /** The server as people should read it: origin and path, never credentials. */
  get where(): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, '')}`;
  }

  async request<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (method === 'GET') {
      for (const [key, value] of Object.entries(opts.input ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.input ?? {});
    }
    // One controller per request, fed by the caller's signal through a listener removed again:
    // AbortSignal.any on a process-long signal (a worker's) keeps every request's record on Node 20.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        controller.abort();
      },
      Math.ceil((opts.holdSeconds ?? 0) * 1000) + GRACE_MS,
    );
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) controller.abort();
    let response: Response;
    let text: string;
    try {
      try {
        response = await fetch(url, { method, headers, body, signal: controller.signal });
      } finally {
        // The answer is on its way: the caller's abort no longer cuts it off half read, so a job
        // the server claimed meanwhile reaches the caller, who hands it back (RemoteQueue.claim).
        opts.signal?.removeEventListener('abort', onAbort);
      }
      text = await response.text();
    } catch (err) {
      // The caller's own abort is not the server's fault: it goes up as it came.
      if (opts.signal?.aborted && !timedOut) throw opts.signal.reason ?? err;
      throw this.unreachable(err, timedOut);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw this.refusal(response.status, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      // A 200 that is not JSON: a web page on that address, not serve.
      throw this.refusal(response.status, text);
    }
  }

  private unreachable(err: unknown, timedOut: boolean): QueueError {
    const cause = err as { cause?: { code?: string; message?: string }; message?: string };
    const why = timedOut
      ? 'no answer in time'
      : (cause.cause?.code ?? cause.cause?.message ?? cause.message ?? String(err));
    return new QueueError(
      'unavailable',
      `Cannot reach the agent-queue server at ${this.where} (${echo(why, 120)}). Check that \`agent-queue serve\` runs there and that --server names it.`,
      { cause: err },
    );
  }

  private refusal(status: number, text: string): QueueError {
    const error = errorOf(text);
    if (error) {
      // The server's words name its own headers; this side's fix is a flag.
      const message =
        error.code === 'unauthorized'
          ? `${error.message} (This client sends the token given with --token or AGENT_QUEUE_TOKEN.)`
          : error.message;
      return new QueueError(error.code, withoutRestHint(message, error.hint), {
        ...(error.details ? { details: error.details } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    // Not our API's answer: a proxy, a load balancer, or another program on that port. The queue
    // is not reachable through it, which a caller treats as an outage (retries, or exit 3 at start).
    return new QueueError(
      'unavailable',
      `The server at ${this.where} answered HTTP ${status} without an agent-queue error (${echo(text.trim() || 'empty body', 120)}). Check that --server names \`agent-queue serve\` (and any proxy in front of it passes /api through).`,
    );
  }
}

/**
 * The server's message without its REST wording of the hint: the error keeps the hint itself, and
 * the surface showing it (an MCP tool result) adds its own words, as it does for local errors.
 */
function withoutRestHint(message: string, hint: ErrorHint | undefined): string {
  const rest = hint ? REST_HINTS[hint] : undefined;
  return rest && message.endsWith(` ${rest}`) ? message.slice(0, -rest.length - 1) : message;
}

function errorOf(
  text: string,
): { code: ErrorCode; message: string; details?: Record<string, unknown>; hint?: ErrorHint } | null {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown; hint?: unknown };
    };
    const e = body.error;
    if (!e || typeof e.message !== 'string' || !ERROR_CODES.includes(e.code as ErrorCode)) return null;
    const details =
      typeof e.details === 'object' && e.details !== null
        ? (e.details as Record<string, unknown>)
        : undefined;
    const hint = typeof e.hint === 'string' && e.hint in REST_HINTS ? (e.hint as ErrorHint) : undefined;
    return {
      code: e.code as ErrorCode,
      message: e.message,
      ...(details ? { details } : {}),
      ...(hint ? { hint } : {}),
    };
  } catch {
    return null;
  }
}

/** --server as a URL: http(s) only, a trailing slash so relative paths keep a prefix. */
export function parseServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new QueueError(
      'invalid_argument',
      `--server ${echo(server, 100)} is not a URL: give serve's base URL, e.g. http://127.0.0.1:8787.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new QueueError(
      'invalid_argument',
      `--server must be an http:// or https:// URL, not ${url.protocol}//.`,
    );
  }
  if (url.username || url.password) {
    throw new QueueError(
      'invalid_argument',
      '--server must not carry credentials in the URL: pass the token with --token (or AGENT_QUEUE_TOKEN).',
    );
  }
  if (url.search || url.hash) {
    throw new QueueError(
      'invalid_argument',
      '--server must be a base URL without a query or fragment, e.g. http://127.0.0.1:8787.',
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
