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

  /** Stops long-polls and waits until every call in flight has handed its answer to the transport. */
  async drain(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.calls]);
    // The SDK sends a result a few promise turns after the handler settles.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
