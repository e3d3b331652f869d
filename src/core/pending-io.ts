// Shared by the surfaces that hand a claim to a caller who may have hung up (MCP, REST).

/**
 * Resolves once the event loop has polled for I/O again. A claim can land in the same turn as the
 * request that enqueued its job (SQLite answers without leaving the turn), before the server has
 * read that the claimer's connection or stdin already closed; after this, such a close is known.
 */
export const afterPendingIo = (): Promise<void> =>
  new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
