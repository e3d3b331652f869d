// Wakeups lets its store subscription go once nobody has waited for a while (on SQLite the
// subscription polls the file every few ms; an idle MCP session should not pay for it), and the
// next waiter subscribes again before its first look, so a change made then still wakes it.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { Wakeups } from '../../src/queue/wakeups.js';
import type { Store } from '../../src/store/store.js';

/** The real store, counting how many of its subscriptions are open. */
function counting(store: Store): { store: Store; open: () => number } {
  let open = 0;
  const counted = Object.create(store) as Store;
  counted.subscribe = async (handler) => {
    const unsubscribe = await store.subscribe(handler);
    open++;
    return () => {
      open--;
      unsubscribe();
    };
  };
  return { store: counted, open: () => open };
}

describe.each(backendsForSuite())('Wakeups subscription release ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('unsubscribes after the idle delay, not while anyone waits, and subscribes again on demand', async () => {
    const { store, open } = counting(q.store);
    const wakeups = new Wakeups(store, { idleReleaseMs: 100 });
    try {
      const first = await wakeups.open(() => true);
      expect(open()).toBe(1);
      // Waiting longer than the delay keeps it: someone is waiting.
      expect(await first.wait(250)).toBe(false);
      expect(open()).toBe(1);
      first.close();
      await new Promise((r) => setTimeout(r, 300));
      expect(open()).toBe(0);
      // A new waiter subscribes before its first look, and a change now wakes it.
      const second = await wakeups.open((s) => s.kind === 'pause_changed');
      expect(open()).toBe(1);
      const woken = second.wait(5_000);
      await q.store.notify({ kind: 'pause_changed', version: 7 });
      expect(await woken).toBe(true);
      second.close();
      // A waiter opened within the delay keeps the subscription it finds.
      const third = await wakeups.open(() => true);
      expect(open()).toBe(1);
      third.close();
    } finally {
      await wakeups.close();
    }
    expect(open()).toBe(0);
  });
});
