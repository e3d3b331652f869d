// The HTTP response a tool call answers on, for the call to notice that its caller went away. The
// SDK's Streamable HTTP transport tells a handler nothing when a POST's response stream closes
// (extra.signal aborts only on notifications/cancelled or when the whole session closes), so the
// route runs the transport inside the request's context and the handler finds the request's
// signal here (@hono/node-server aborts it when the connection closes before the response ended).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Extra } from './tool.js';
import type { GoneWhen } from './in-flight.js';

const responses = new AsyncLocalStorage<AbortSignal>();

/** Runs fn (the transport handling one HTTP request) with that request's abort signal in context. */
export function answeringOn<T>(signal: AbortSignal, fn: () => T): T {
  return responses.run(signal, fn);
}

/** The signals that say a tool call's caller is gone: the request cancelled, its HTTP stream closed. */
export function callerGone(extra: Extra): GoneWhen[] {
  const stream = responses.getStore();
  return [
    { signal: extra.signal, reason: 'request_cancelled' },
    ...(stream ? [{ signal: stream, reason: 'response_stream_closed' }] : []),
  ];
}

/**
 * Only the request's own cancel (or the session closing): for long-polls that claim nothing. Their
 * answer is still worth sending when the HTTP stream closes, since a client on a resumable stream
 * (event ids, Last-Event-ID) reconnects and reads it.
 */
export const requestCancelled = (extra: { signal: AbortSignal }): GoneWhen[] => [
  { signal: extra.signal, reason: 'request_cancelled' },
];
