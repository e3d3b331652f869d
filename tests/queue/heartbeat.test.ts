// heartbeat (SPEC §4, §6): ownership, lease extension, progress, and a timeline that is not flooded.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { QueueError } from '../../src/core/errors.js';
import { QueueService } from '../../src/queue/service.js';

describe.each(backendsForSuite())('heartbeat ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  const inSeconds = (s: number) => new Date(clock.now().getTime() + s * 1000).toISOString();

  it('extends the lease by the claim leaseSeconds by default', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 120 });
    clock.advance(100);
    const answer = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    expect(answer.action).toBe('continue');
    expect(answer.system.workersPaused).toBe(false);
    expect(answer.lease).toEqual({ token, expiresAt: inSeconds(120), seconds: 120 });
    expect(answer.job.leaseExpiresAt).toBe(inSeconds(120));
    expect((await q.service.get({ jobId: job.id })).job.leaseExpiresAt).toBe(inSeconds(120));
  });

  it('extends by a given leaseSeconds, which then becomes the default for later heartbeats', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 120 });
    clock.advance(10);
    expect(
      (await q.service.heartbeat({ jobId: job.id, leaseToken: token, leaseSeconds: 900 })).lease,
    ).toMatchObject({
      expiresAt: inSeconds(900),
      seconds: 900,
    });
    clock.advance(10);
    expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).lease.expiresAt).toBe(
      inSeconds(900),
    );
    // A shorter lease is allowed too.
    expect(
      (await q.service.heartbeat({ jobId: job.id, leaseToken: token, leaseSeconds: 5 })).lease.expiresAt,
    ).toBe(inSeconds(5));
  });

  it('stores progress and message and writes each as a progress event', async () => {
    const { job, token } = await startJob(q.service);
    const answer = await q.service.heartbeat({
      jobId: job.id,
      leaseToken: token,
      progress: 40,
      message: 'tests pass',
    });
    expect(answer.job).toMatchObject({ progress: 40, progressMessage: 'tests pass' });
    await q.service.heartbeat({ jobId: job.id, leaseToken: token, progress: 55.5 });
    await q.service.heartbeat({ jobId: job.id, leaseToken: token, message: 'linting' });
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      progress: 55.5,
      progressMessage: 'linting',
    });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.map((e) => [e.kind, e.message, e.data])).toEqual([
      ['enqueued', null, expect.anything()],
      ['claimed', expect.any(String), expect.anything()],
      ['progress', 'tests pass', { progress: 40 }],
      ['progress', null, { progress: 55.5 }],
      ['progress', 'linting', null],
    ]);
  });

  it('records a plain heartbeat at most once per 60 s of time', async () => {
    const { job, token } = await startJob(q.service);
    // 40 heartbeats, 5 s apart: 200 s after the claim.
    for (let i = 0; i < 40; i++) {
      clock.advance(5);
      await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    }
    const { events } = await q.service.events({ jobId: job.id });
    const beats = events.filter((e) => e.kind === 'heartbeat');
    // The claim opens the minute; then one at 60, 120 and 180 s.
    expect(beats).toHaveLength(3);
    const claimedAt = new Date(events[1]!.at).getTime();
    expect(beats.map((e) => (new Date(e.at).getTime() - claimedAt) / 1000)).toEqual([60, 120, 180]);
    // The lease still followed every heartbeat.
    expect((await q.service.get({ jobId: job.id })).job.leaseExpiresAt).toBe(inSeconds(600));
  });

  it('refuses a mistyped token without telling the holder it lost the job, and changes nothing', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 60 });
    const before = (await q.service.get({ jobId: job.id })).job;
    clock.advance(10);
    await expectQueueError(
      q.service.heartbeat({ jobId: job.id, leaseToken: `${token}x` }),
      'invalid_argument',
      /does not match job .*'s current lease, nor any earlier lease of it: it was never issued for this job. The job is running \(attempt 1, held by worker-1\): if you claimed it, it is still yours and nothing expired\./,
    );
    expect((await q.service.get({ jobId: job.id })).job).toEqual(before);
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
  });

  it('refuses the previous holder once the job was reclaimed, and after it finished', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 30 });
    clock.advance(31);
    await q.service.sweepExpired();
    clock.advance(3600);
    const again = await q.service.claim({ workerId: 'other' });
    expect(again.job?.id).toBe(job.id);
    const err = await expectQueueError(
      q.service.heartbeat({ jobId: job.id, leaseToken: token }),
      'lease_lost',
      /claimed again/,
    );
    expect(err.details).toMatchObject({ action: 'lease_lost', status: 'running' });
    await q.service.complete({ jobId: job.id, leaseToken: again.lease!.token });
    await expectQueueError(
      q.service.heartbeat({ jobId: job.id, leaseToken: again.lease!.token }),
      'lease_lost',
      /succeeded/,
    );
  });

  it('answers not_found for an unknown job id', async () => {
    await expectQueueError(
      q.service.heartbeat({ jobId: randomUUID(), leaseToken: 'tok' }),
      'not_found',
      /No job with id/,
    );
    await expectQueueError(
      q.service.heartbeat({ jobId: 'not-a-uuid', leaseToken: 'tok' }),
      'not_found',
      /not-a-uuid/,
    );
  });

  it('writes nothing when it cannot answer: a failed pause read leaves the lease and timeline as they were', async () => {
    const { job, token } = await startJob(q.service, { leaseSeconds: 120 });
    // The same database, but the pause state cannot be read (as during a dropped connection).
    const broken = new Proxy(q.store, {
      get: (store, key, receiver) =>
        key === 'pauseStateGet'
          ? () => Promise.reject(new QueueError('unavailable', 'the pause state is out of reach'))
          : Reflect.get(store, key, receiver),
    });
    const service = new QueueService({ store: broken, clock });
    try {
      const before = await q.store.jobGet({ id: job.id });
      clock.advance(60);
      await expectQueueError(
        service.heartbeat({ jobId: job.id, leaseToken: token, message: 'step 1' }),
        'unavailable',
        /out of reach/,
      );
      expect(await q.store.jobGet({ id: job.id })).toEqual(before);
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
    } finally {
      await service.close();
    }
  });
});
