// The tool calls a session still owes an answer. At shutdown, long-polls are told to stop (a claim
// then answers `wait`) and every call finishes and sends its answer before the transport closes:
// a client gets a reply instead of a dropped stream, which over HTTP it would take for a network
// blip and wait out its own request timeout.
//
// A caller can also be gone before its answer is out (issue 14). What "gone" means per transport:
// - any transport: the request was cancelled (notifications/cancelled, or the SDK's connection
//   closed: it then drops the answer), or this session is closing (stdio: stdin ended; legacy SSE:
//   the GET /sse stream closed; Streamable HTTP: DELETE, idle timeout, server shutdown);
// - Streamable HTTP: the POST's response stream or socket closed (`answeringOn`, response-stream.ts);
// - stdio: writing the answer to stdout failed (EPIPE: the host is gone), reported by the transport
//   through `delivered`.
// What is not knowable: bytes the kernel accepted but the peer never read. A claim answered then
// stays running until its lease expires, as before.
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** A signal that says the caller is gone, and the reason recorded when it does. */
export interface GoneWhen {
  signal: AbortSignal;
  reason: string;
}

export class InFlight {
  private readonly stopping = new AbortController();
  private readonly calls = new Set<Promise<unknown>>();
  /** What to undo if an answer turns out undeliverable, by request id (transports that report only). */
  private readonly receipts = new Map<RequestId, () => Promise<unknown>>();
  private readonly undoing = new Set<Promise<unknown>>();
  /** Aborted when the session closes; its reason is a string saying why. */
  readonly closing: AbortSignal = this.stopping.signal;

  /** `reportsDelivery`: the transport calls `delivered` for every answer it sends (stdio). */
  constructor(private readonly reportsDelivery = false) {}

  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    const forget = () => void this.calls.delete(call);
    call.then(forget, forget);
    return call;
  }

  /**
   * Runs fn with a signal aborted (with the matching reason) when any `gone` signal aborts or the
   * session closes. Not AbortSignal.any: on Node 20 every combined signal stays referenced by the
   * long-lived session signal for the life of the process, a leak per claim.
   */
  async withSignal<T>(gone: readonly GoneWhen[], fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const both = new AbortController();
    // The session's own signal carries its reason (stop's `why`).
    const sources: GoneWhen[] = [...gone, { signal: this.closing, reason: '' }];
    const stops = sources.map(({ signal, reason }) => {
      const abort = () => both.abort(signal === this.closing ? (signal.reason as string) : reason);
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      return () => signal.removeEventListener('abort', abort);
    });
    try {
      return await fn(both.signal);
    } finally {
      for (const stop of stops) stop();
    }
  }

  /**
   * Registers what to undo if the answer to request `id` cannot be delivered (a claimed job is
   * released). Only kept when the transport reports delivery; others rely on `withSignal`.
   */
  onUndelivered(id: RequestId, undo: () => Promise<unknown>): void {
    if (this.reportsDelivery) this.receipts.set(id, undo);
  }

  /** The transport's report on the answer to request `id`: handed to the peer, or not. */
  delivered(id: RequestId, ok: boolean): void {
    const undo = this.receipts.get(id);
    this.receipts.delete(id);
    if (ok || !undo) return;
    const run = undo().catch(() => undefined);
    this.undoing.add(run);
    void run.finally(() => this.undoing.delete(run));
  }

  /** Stops long-polls at once: what is claimed from now on is released (why: the abort reason). */
  stop(why = 'session_closing'): void {
    this.stopping.abort(why);
  }

  /** Stops long-polls and waits until every call in flight has handed its answer to the transport. */
  async drain(why?: string): Promise<void> {
    this.stop(why);
    await Promise.allSettled([...this.calls]);
    // The SDK sends a result a few promise turns after the handler settles; a failed write reports
    // on the next tick, and its undo must finish before the database closes.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.allSettled([...this.undoing]);
  }
}
