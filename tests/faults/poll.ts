// Bounded polling for what has no event to wait on (a database coming back, a health check).
import { setTimeout as sleep } from 'node:timers/promises';

/** Calls `get` until `ok` holds for its answer or `ms` have passed; returns the last answer. */
export async function pollUntil<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v) || performance.now() > deadline) return v;
    await sleep(250);
  }
}
