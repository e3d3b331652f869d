// Cancellation (SPEC §7) on both backends: immediate for queued jobs, cooperative for running ones,
// and a job with a pending cancel request is never requeued.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { QueueError } from '../../src/core/errors.js';

describe.each(backendsForSuite())('cancellation ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  const queueError = (code: string) => expect.objectContaining({ name: 'QueueError', code });

  describe('a queued job', () => {
    it('is cancelled at once, records who and why, and writes one event', async () => {
      const { job } = await q.service.enqueue({ type: 'build', payload: {} });
      clock.advance(5);
      const { job: cancelled } = await q.service.cancel({
        jobId: job.id,
        reason: 'not needed',
        requestedBy: 'alice',
      });
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        cancelReason: 'not needed',
        cancelRequestedBy: 'alice',
        cancelRequestedAt: clock.now().toISOString(),
        finishedAt: clock.now().toISOString(),
        attempt: 0,
      });
      const { events } = await q.service.events({ jobId: job.id });
      expect(events.map((e) => e.kind)).toEqual(['enqueued', 'cancelled']);
      expect(events[1]).toMatchObject({ message: 'not needed', data: { by: 'alice' } });
    });

    it('is idempotent: a repeated cancel returns the same job and writes no event', async () => {
      const { job } = await q.service.enqueue({ type: 'build', payload: {} });
      const first = await q.service.cancel({ jobId: job.id, reason: 'first' });
      clock.advance(10);
      const again = await q.service.cancel({ jobId: job.id, reason: 'second' });
      expect(again.job).toEqual(first.job);
      expect(again.job.cancelReason).toBe('first');
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'cancelled']);
    });

    it('is never claimable again, by this or another connection, even much later', async () => {
      const { job } = await q.service.enqueue({ type: 'build', payload: {} });
      await q.service.cancel({ jobId: job.id });
      const other = q.connect();
      clock.advance(3600);
      expect(await other.sweepExpired()).toBe(0);
      for (const svc of [q.service, other]) {
        const answer = await svc.claim({ workerId: 'w' });
        expect(answer).toMatchObject({ job: null, action: 'wait' });
      }
      const next = await q.service.enqueue({ type: 'build', payload: {} });
      expect((await other.claim({ workerId: 'w' })).job?.id).toBe(next.job.id);
      expect((await q.service.get({ jobId: job.id })).job.status).toBe('cancelled');
    });
  });

  describe('a running job', () => {
    it('records the request and stays running; a repeat is a no-op', async () => {
      const { job } = await startJob(q.service);
      clock.advance(2);
      const requestedAt = clock.now().toISOString();
      const { job: after } = await q.service.cancel({
        jobId: job.id,
        reason: 'wrong branch',
        requestedBy: 'bob',
      });
      expect(after).toMatchObject({
        status: 'running',
        cancelRequestedAt: requestedAt,
        cancelRequestedBy: 'bob',
        cancelReason: 'wrong branch',
        finishedAt: null,
        claimedBy: 'worker-1',
      });
      clock.advance(2);
      const again = await q.service.cancel({ jobId: job.id, reason: 'other', requestedBy: 'carol' });
      expect(again.job).toEqual(after);
      const { events } = await q.service.events({ jobId: job.id });
      expect(events.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'cancel_requested']);
      expect(events[2]).toMatchObject({ level: 'warn', message: 'wrong branch', data: { by: 'bob' } });
    });

    it('tells the holder on its next heartbeat, then ackCancel ends it as cancelled', async () => {
      const { job, token } = await startJob(q.service);
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).action).toBe('continue');
      await q.connect().cancel({ jobId: job.id, reason: 'stop please' });
      const hb = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
      expect(hb.action).toBe('cancel');
      expect(hb.job).toMatchObject({ status: 'running', cancelReason: 'stop please' });
      clock.advance(1);
      const { job: acked } = await q.service.ackCancel({
        jobId: job.id,
        leaseToken: token,
        message: 'stopped at step 2',
      });
      expect(acked).toMatchObject({
        status: 'cancelled',
        leaseExpiresAt: null,
        finishedAt: clock.now().toISOString(),
      });
      const { events } = await q.service.events({ jobId: job.id });
      expect(events.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'cancel_requested', 'cancelled']);
      expect(events[3]!.message).toBe('stopped at step 2');
      // A finished job: the holder has nothing more to do with it.
      await expect(q.service.heartbeat({ jobId: job.id, leaseToken: token })).rejects.toEqual(
        queueError('lease_lost'),
      );
      expect((await q.service.cancel({ jobId: job.id })).job.status).toBe('cancelled');
      expect(await eventKinds(q.service, job.id)).toHaveLength(4);
    });

    it('rejects ackCancel with a token the job never issued (invalid_argument) and keeps the job', async () => {
      const { job } = await startJob(q.service);
      await q.service.cancel({ jobId: job.id });
      const err = await q.service
        .ackCancel({ jobId: job.id, leaseToken: 'not-the-token' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect(err).toMatchObject({
        code: 'invalid_argument',
        details: { status: 'running', reason: 'lease_token_unknown' },
      });
      expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
    });

    it('rejects ackCancel with a stale token after the job was claimed again', async () => {
      const first = await startJob(q.service, { leaseSeconds: 10 });
      clock.advance(11);
      expect(await q.service.sweepExpired()).toBe(1);
      clock.advance(3600); // past any backoff
      const again = await q.service.claim({ workerId: 'worker-2' });
      expect(again.job?.id).toBe(first.job.id);
      await q.service.cancel({ jobId: first.job.id });
      await expect(q.service.ackCancel({ jobId: first.job.id, leaseToken: first.token })).rejects.toEqual(
        queueError('lease_lost'),
      );
      const { job } = await q.service.ackCancel({ jobId: first.job.id, leaseToken: again.lease!.token });
      expect(job.status).toBe('cancelled');
    });

    it('rejects ackCancel when no cancellation was requested (job_state_conflict)', async () => {
      const { job, token } = await startJob(q.service);
      const err = await q.service.ackCancel({ jobId: job.id, leaseToken: token }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'job_state_conflict' });
      expect((err as Error).message).toMatch(/complete or fail/);
      expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
    });

    it.each([true, false])(
      'ends as cancelled, never retried, when the holder fails it (retryable %s)',
      async (retryable) => {
        const { job, token } = await startJob(q.service);
        await q.service.cancel({ jobId: job.id, reason: 'abort' });
        const { job: after } = await q.service.fail({
          jobId: job.id,
          leaseToken: token,
          error: 'killed',
          retryable,
        });
        expect(after).toMatchObject({
          status: 'cancelled',
          attempt: 1,
          errorMessage: 'killed',
          leaseExpiresAt: null,
        });
        expect(await eventKinds(q.service, job.id)).toEqual([
          'enqueued',
          'claimed',
          'cancel_requested',
          'cancelled',
        ]);
        clock.advance(3600);
        expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
        expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
          status: 'cancelled',
          attempt: 1,
        });
      },
    );

    it.each([3, 1])(
      'ends as cancelled, never requeued or dead-lettered, when its lease expires (maxAttempts %i)',
      async (maxAttempts) => {
        const { job } = await startJob(q.service, { leaseSeconds: 30, enqueue: { maxAttempts } });
        await q.service.cancel({ jobId: job.id, reason: 'abort' });
        clock.advance(29);
        expect(await q.service.sweepExpired()).toBe(0);
        clock.advance(2);
        expect(await q.connect().sweepExpired()).toBe(1);
        const { job: after } = await q.service.get({ jobId: job.id });
        expect(after).toMatchObject({
          status: 'cancelled',
          attempt: 1,
          finishedAt: clock.now().toISOString(),
        });
        expect(after.errorMessage).toMatch(/lease expired/);
        const kinds = await eventKinds(q.service, job.id);
        expect(kinds).toEqual(['enqueued', 'claimed', 'cancel_requested', 'cancelled']);
        clock.advance(3600);
        expect(await q.service.sweepExpired()).toBe(0);
        expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
      },
    );

    it('still succeeds when the holder completes it: the work is done', async () => {
      const { job, token } = await startJob(q.service);
      await q.service.cancel({ jobId: job.id });
      const { job: done } = await q.service.complete({ jobId: job.id, leaseToken: token, result: { ok: 1 } });
      expect(done).toMatchObject({ status: 'succeeded', result: { ok: 1 } });
      expect(await eventKinds(q.service, job.id)).toEqual([
        'enqueued',
        'claimed',
        'cancel_requested',
        'completed',
      ]);
    });
  });

  describe('a finished job', () => {
    const finishers = {
      succeeded: (j: { id: string }, t: string) => q.service.complete({ jobId: j.id, leaseToken: t }),
      failed: (j: { id: string }, t: string) =>
        q.service.fail({ jobId: j.id, leaseToken: t, error: 'x', retryable: false }),
      dead_letter: (j: { id: string }, t: string) =>
        q.service.fail({ jobId: j.id, leaseToken: t, error: 'x' }),
    };
    it.each(Object.keys(finishers) as (keyof typeof finishers)[])(
      'cannot be cancelled once %s',
      async (status) => {
        const { job, token } = await startJob(q.service, { enqueue: { maxAttempts: 1 } });
        await finishers[status](job, token);
        const before = await q.service.get({ jobId: job.id, events: 50 });
        expect(before.job.status).toBe(status);
        const err = await q.service.cancel({ jobId: job.id, reason: 'late' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(QueueError);
        expect(err).toMatchObject({ code: 'job_state_conflict', details: { status } });
        expect(await q.service.get({ jobId: job.id, events: 50 })).toEqual(before);
      },
    );

    it.each(['00000000-0000-7000-8000-000000000000', 'not-a-job-id'])(
      'answers not_found for unknown id %s',
      async (id) => {
        await expect(q.service.cancel({ jobId: id })).rejects.toEqual(queueError('not_found'));
        await expect(q.service.ackCancel({ jobId: id, leaseToken: 't' })).rejects.toEqual(
          queueError('not_found'),
        );
      },
    );
  });
});
