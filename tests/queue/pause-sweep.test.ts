// A pause that lands while an expiry sweep is under way still wins: the sweep's write is guarded by
// the pause state in the same statement, so a job read as expired before the pause is not requeued.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { decideAttemptEnd } from '../../src/queue/transitions.js';

describe.each(backendsForSuite())('pause during an expiry sweep ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('does not requeue a job the sweep read before the pause', async () => {
    await q.service.enqueue({ type: 'build' });
    const { job } = await q.service.claim({ workerId: 'w', leaseSeconds: 30 });
    clock.advance(31);
    const now = clock.now();
    // The sweep's read ...
    const [expired] = await q.store.jobsExpiredList({ now, limit: 10 });
    expect(expired?.id).toBe(job!.id);
    // ... then an operator pauses before the sweep writes.
    await q.connect().control.pause({ mode: 'drain', reason: 'upgrade' });
    const d = decideAttemptEnd(expired!, { kind: 'expired' }, now, q.service.settings.backoff, () => 0.5);
    expect(
      await q.store.jobUpdate({ id: job!.id, expect: d.expect, set: d.set, now, event: d.event }),
    ).toBeNull();
    expect((await q.service.get({ jobId: job!.id })).job).toMatchObject({ status: 'running', attempt: 1 });

    // After resume the same decision goes through.
    await q.service.control.resume({ reason: 'done', force: true });
    expect(
      await q.store.jobUpdate({ id: job!.id, expect: d.expect, set: d.set, now, event: d.event }),
    ).toMatchObject({
      status: 'queued',
    });
  });
});
