// A new job wakes one waiting claimer that can take it, not a herd and not one that cannot:
// a job needing a capability goes straight to the waiter that has it, even when a waiter without
// it has been idle longer. A missed wake-up would show as the ~1 s re-check fallback, so the
// median of five rounds tells the two apart with a wide margin on a busy machine.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';

describe.each(backendsForSuite())('wake one capable claimer ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  it('a job needing a capability wakes the waiter that has it at once', async () => {
    const producer = q.connect();
    const latencies: number[] = [];
    for (let round = 0; round < 5; round++) {
      const abort = new AbortController();
      // Idle first and for longer: the one a capability-blind wake-up would pick.
      const incapable = q.service.claim({ workerId: 'plain', waitSeconds: 15 }, { signal: abort.signal });
      await q.whenIdle(1);
      const capable = q.service.claim({ workerId: 'gpu', capabilities: ['gpu'], waitSeconds: 15 });
      await q.whenIdle(2);
      const t0 = performance.now();
      const { job } = await producer.enqueue({
        type: 'train',
        requiredCapabilities: ['gpu'],
        payload: { round },
      });
      expect((await capable).job?.id).toBe(job.id);
      latencies.push(performance.now() - t0);
      abort.abort();
      expect((await incapable).job).toBeNull();
    }
    latencies.sort((x, y) => x - y);
    expect(latencies[2]).toBeLessThan(500);
  });
});
