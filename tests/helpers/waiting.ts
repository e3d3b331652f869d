// Calls that block waiting (long-poll claims, held heartbeats), started before the change that
// should end them.

/** Starts watching a call and records when it settles, so a test can check it is still waiting. */
export function track<T>(p: Promise<T>) {
  const started = performance.now();
  const t = { settled: false, elapsedMs: -1, answer: p };
  const settle = () => {
    t.settled = true;
    t.elapsedMs = performance.now() - started;
  };
  // Settled on a rejection too: a test looping until the call ends must not spin on a failed one.
  t.answer = p.then(
    (a) => {
      settle();
      return a;
    },
    (err: unknown) => {
      settle();
      throw err;
    },
  );
  return t;
}

/**
 * Resolves once `idle` (a whenIdle() of the test queue) does: the calls have checked and now wait.
 * Awaiting whenIdle() alone hangs to the test timeout when a call fails instead of waiting, and its
 * rejection goes unhandled meanwhile; here a failed call fails the test at once with its own error,
 * and so does a call that answers before it ever waited.
 */
export async function untilWaiting(idle: Promise<unknown>, ...calls: Promise<unknown>[]): Promise<void> {
  const early = (answer: unknown): never => {
    throw new Error(`the call answered before it waited: ${JSON.stringify(answer)}`);
  };
  await Promise.race([idle, ...calls.map((c) => c.then(early))]);
}
