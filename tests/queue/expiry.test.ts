// Lease-expiry sweep (SPEC §5, §6): requeue with backoff or dead-letter, never before expiry, never
// over a heartbeat that extended the lease, and once per job when several processes sweep at once.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { decideAttemptEnd } from '../../src/queue/transitions.js';

describe.each(backendsForSuite())('lease expiry sweep ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('leaves a running job alone until its lease has expired', async () => {
    const { job } = await startJob(q.service, { leaseSeconds: 60 });
    const before = (await q.service.get({ jobId: job.id })).job;
    expect(await q.service.sweepExpired()).toBe(0);
    clock.advance(59.999);
    expect(await q.service.sweepExpired()).toBe(0);
    // Exactly at expiry the lease is still (just) valid.
    clock.advance(0.001);
    expect(await q.service.sweepExpired()).toBe(0);
    expect((await q.service.get({ jobId: job.id })).job).toEqual(before);
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
  });

  it('requeues an expired job with backoff and a lease_expired event; the old holder has lost it', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 60, workerId: 'gone' });
    clock.advance(61);
    expect(await q.service.sweepExpired()).toBe(1);
    const back = (await q.service.get({ jobId: job.id })).job;
    expect(back).toMatchObject({
      status: 'queued',
      attempt: 1,
      claimedBy: null,
      leaseExpiresAt: null,
      finishedAt: null,
    });
    expect(back.errorMessage).toMatch(/lease expired/);
    const delay = (new Date(back.runAt).getTime() - clock.now().getTime()) / 1000;
    expect(delay).toBeGreaterThanOrEqual(12);
    expect(delay).toBeLessThanOrEqual(18);
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'lease_expired']);
    expect(events[2]).toMatchObject({ level: 'warn', attempt: 1, data: { runAt: back.runAt } });
    await expectQueueError(q.service.heartbeat({ jobId: job.id, leaseToken: token }), 'lease_lost', /queued/);
    await expectQueueError(q.service.complete({ jobId: job.id, leaseToken: token }), 'lease_lost');
    // A second sweep finds nothing; after the backoff the job runs again as attempt 2.
    expect(await q.service.sweepExpired()).toBe(0);
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
    clock.advance(delay);
    expect((await q.service.claim({ workerId: 'w' })).job).toMatchObject({ id: job.id, attempt: 2 });
  });

  it('dead-letters an expired job that has no attempts left', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 30, enqueue: { maxAttempts: 1 } });
    clock.advance(31);
    expect(await q.service.sweepExpired()).toBe(1);
    const dead = (await q.service.get({ jobId: job.id })).job;
    expect(dead).toMatchObject({
      status: 'dead_letter',
      attempt: 1,
      finishedAt: clock.now().toISOString(),
      leaseExpiresAt: null,
    });
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed', 'dead_lettered']);
    await expectQueueError(
      q.service.complete({ jobId: job.id, leaseToken: token }),
      'lease_lost',
      /dead_letter/,
    );
    clock.advance(86_400);
    expect(await q.service.sweepExpired()).toBe(0);
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
  });

  it('a heartbeat that extended the lease wins over the sweep', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 30 });
    clock.advance(20);
    await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    clock.advance(20);
    // 40 s after the claim, 20 s after the heartbeat: not expired.
    expect(await q.service.sweepExpired()).toBe(0);
    expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
  });

  it('a sweep that read the job before a late heartbeat extended it writes nothing', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 30 });
    clock.advance(31);
    // The sweep's read happens first...
    const [stale] = await q.store.jobsExpiredList({ now: clock.now(), limit: 10 });
    expect(stale?.id).toBe(job.id);
    // ...then the holder, late but not yet swept, heartbeats and keeps the job...
    await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    // ...so the sweep's compare-and-set, decided on the stale read, must not apply.
    const d = decideAttemptEnd(
      stale!,
      { kind: 'expired' },
      clock.now(),
      q.service.settings.backoff,
      Math.random,
    );
    expect(
      await q.store.jobUpdate({ id: job.id, expect: d.expect, set: d.set, now: clock.now(), event: d.event }),
    ).toBeNull();
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({ status: 'running', attempt: 1 });
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
    await q.service.complete({ jobId: job.id, leaseToken: token });
  });

  it('only touches jobs whose lease expired', async () => {
    const short = await startJob(q.service, { type: 'short', leaseSeconds: 10 });
    const long = await startJob(q.service, { type: 'long', leaseSeconds: 100 });
    const { job: waiting } = await q.service.enqueue({ type: 'waiting' });
    clock.advance(50);
    expect(await q.service.sweepExpired()).toBe(1);
    expect((await q.service.get({ jobId: short.job.id })).job.status).toBe('queued');
    expect((await q.service.get({ jobId: long.job.id })).job.status).toBe('running');
    expect(await eventKinds(q.service, waiting.id)).toEqual(['enqueued']);
  });

  it('two services sweeping at once handle each expired job exactly once', async () => {
    const a = q.connect();
    const b = q.connect();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      // A third of them on their last attempt: those dead-letter.
      ids.push(
        (await startJob(q.service, { leaseSeconds: 10, enqueue: { maxAttempts: i % 3 === 0 ? 1 : 3 } })).job
          .id,
      );
    }
    clock.advance(11);
    const counts = await Promise.all([
      a.sweepExpired(),
      b.sweepExpired(),
      a.sweepExpired(),
      b.sweepExpired(),
    ]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(30);
    for (const [i, id] of ids.entries()) {
      const kinds = await eventKinds(q.service, id);
      const expected = i % 3 === 0 ? 'dead_lettered' : 'lease_expired';
      expect(kinds).toEqual(['enqueued', 'claimed', expected]);
      expect((await q.service.get({ jobId: id })).job.status).toBe(i % 3 === 0 ? 'dead_letter' : 'queued');
    }
  });

  it('does nothing while workers are paused', async () => {
    const { job } = await startJob(q.service, { leaseSeconds: 10 });
    await q.service.control.pause({ mode: 'drain', reason: 'upgrade' });
    clock.advance(60);
    expect(await q.service.sweepExpired()).toBe(0);
    expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
    await q.service.control.resume({ reason: 'done', force: true });
    expect(await q.service.sweepExpired()).toBe(1);
  });
});
