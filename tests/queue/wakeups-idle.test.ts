// Wakeups.whenIdle, the event tests await instead of sleeping: it resolves only once the asked number
// of waiters are blocked in wait() at the same moment, never for a waiter that is merely open or
// that returns at once because a wake-up was already pending.
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BACKENDS, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { Wakeups } from '../../src/queue/wakeups.js';

/** Whether a promise has settled after everything already queued has run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await setImmediate();
  return done;
}

// The fan-out is the same whatever the store: SQLite is enough.
describe('Wakeups.whenIdle', () => {
  let q: TestQueue;
  useTestQueue(
    BACKENDS.find((b) => b.name === 'sqlite')!,
    (opened) => (q = opened),
  );

  it('resolves once n waiters are blocked in wait(), not before', async () => {
    const wakeups = new Wakeups(q.store);
    try {
      const one = wakeups.whenIdle();
      const two = wakeups.whenIdle(2);
      const a = await wakeups.open(() => true);
      const b = await wakeups.open(() => true);
      // Open is not idle: a long-poll opens its waiter before its first attempt.
      expect(await settled(one)).toBe(false);
      const aWaits = a.wait(10_000);
      expect(await settled(one)).toBe(true);
      expect(await settled(two)).toBe(false);
      const bWaits = b.wait(10_000);
      expect(await settled(two)).toBe(true);
      // Already idle: resolves at once.
      expect(await settled(wakeups.whenIdle(2))).toBe(true);
      await q.store.notify({ kind: 'pause_changed', version: 1 });
      expect(await Promise.all([aWaits, bWaits])).toEqual([true, true]);
      a.close();
      b.close();
    } finally {
      await wakeups.close();
    }
  });

  it('does not count a wait that returns at once on a pending wake-up', async () => {
    const wakeups = new Wakeups(q.store);
    try {
      const waiter = await wakeups.open(() => true);
      await q.store.notify({ kind: 'pause_changed', version: 1 });
      const idle = wakeups.whenIdle();
      expect(await waiter.wait(10_000)).toBe(true);
      expect(await settled(idle)).toBe(false);
      const abort = new AbortController();
      const waits = waiter.wait(10_000, abort.signal);
      expect(await settled(idle)).toBe(true);
      // A closed waiter no longer counts, even while its last wait() is still out.
      waiter.close();
      expect(await settled(wakeups.whenIdle())).toBe(false);
      abort.abort();
      expect(await waits).toBe(false);
    } finally {
      await wakeups.close();
    }
  });
});
