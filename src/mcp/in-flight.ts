// The tool calls a session still owes an answer. At shutdown, long-polls are told to stop (a claim
// then answers `wait`) and every call finishes and sends its answer before the transport closes:
// a client gets a reply instead of a dropped stream, which over HTTP it would take for a network
// blip and wait out its own request timeout.
export class InFlight {
  private readonly stopping = new AbortController();
  private readonly calls = new Set<Promise<unknown>>();
  /** Aborted when the session closes. */
  readonly closing: AbortSignal = this.stopping.signal;

  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    const forget = () => void this.calls.delete(call);
    call.then(forget, forget);
    return call;
  }

  /**
   * Runs fn with a signal aborted when the caller goes away (`callerGone`) or the session closes.
   * Not AbortSignal.any: on Node 20 every combined signal stays referenced by the long-lived session
   * signal for the life of the process, a leak per claim.
   */
  async withSignal<T>(callerGone: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const both = new AbortController();
    const abort = () => both.abort();
    if (callerGone.aborted || this.closing.aborted) both.abort();
    callerGone.addEventListener('abort', abort, { once: true });
    this.closing.addEventListener('abort', abort, { once: true });
    try {
      return await fn(both.signal);
    } finally {
      callerGone.removeEventListener('abort', abort);
      this.closing.removeEventListener('abort', abort);
    }
  }

  /** Stops long-polls and waits until every call in flight has handed its answer to the transport. */
  async drain(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.calls]);
    // The SDK sends a result a few promise turns after the handler settles.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
