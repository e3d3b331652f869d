// watchActivity (the REST event stream's wait): woken at once by a write to the job in this
// process (the observers) and by a cancel request from another process (its wake-up signal);
// not by writes to other jobs. A missed wake-up would leave a wait of a minute: the test times out.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';

describe.each(backendsForSuite())('watchActivity ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('wakes on a write to its job made in this process, even one made before the wait', async () => {
    const { job } = await q.service.enqueue({ type: 'a' });
    const { job: other } = await q.service.enqueue({ type: 'b' });
    const watch = await q.service.watchActivity(job.id);
    try {
      await q.service.cancel({ jobId: other.id });
      expect(await watch.wait(20)).toBe(false);
      const woke = watch.wait(60_000);
      await q.service.claim({ workerId: 'w', types: ['a'] });
      expect(await woke).toBe(true);
      // Written before the wait began: answered at once.
      await q.service.cancel({ jobId: job.id, reason: 'stop' });
      expect(await watch.wait(60_000)).toBe(true);
    } finally {
      watch.close();
    }
  });

  it("wakes on another process's cancel request for its job", async () => {
    const { job } = await q.service.enqueue({ type: 'a' });
    await q.service.claim({ workerId: 'w' });
    const watch = await q.service.watchActivity(job.id);
    try {
      const woke = watch.wait(60_000);
      await q.whenIdle(1);
      await q.connect().cancel({ jobId: job.id, reason: 'elsewhere' });
      expect(await woke).toBe(true);
    } finally {
      watch.close();
    }
  });
});
