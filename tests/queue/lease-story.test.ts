// A token that does not hold its job's lease (issue 13, points 2 and 3), on both backends: a
// mistyped token is told the truth (nothing expired, the job may still be yours), a token of an
// earlier attempt learns what ended that attempt, and the holder's own complete / fail / ackCancel
// repeated after success answers the same outcome again and writes nothing, unless the job was
// claimed again since (complete and ackCancel end the job for good, so only fail can get there).
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import { leaseTag } from '../../src/queue/lease-story.js';

describe.each(backendsForSuite())('lease token story ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  /** A job whose first lease expired and which worker-2 then claimed: the first token is stale. */
  async function reclaimed() {
    const first = await startJob(q.service, { leaseSeconds: 10 });
    clock.advance(11);
    expect(await q.service.sweepExpired()).toBe(1);
    clock.advance(3600); // past any backoff
    const second = await q.service.claim({ workerId: 'worker-2' });
    expect(second.job?.id).toBe(first.job.id);
    return { id: first.job.id, stale: first.token, token: second.lease!.token };
  }

  describe('a token that does not match', () => {
    it('mistyped while the job is held: no false story, nothing written, the real token still works', async () => {
      const { job, token } = await startJob(q.service);
      const before = await snapshotTables(q.db);
      const typo = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
      // Each call starts only when its turn comes: calls made up front would reject while an
      // earlier one is awaited, and vitest counts those as unhandled rejections.
      for (const call of [
        () => q.service.heartbeat({ jobId: job.id, leaseToken: typo }),
        () => q.service.complete({ jobId: job.id, leaseToken: typo }),
        () => q.service.fail({ jobId: job.id, leaseToken: typo, error: 'x' }),
        () => q.service.log({ jobId: job.id, leaseToken: typo, stream: 'stdout', lines: ['x'] }),
      ]) {
        const err = await expectQueueError(
          call(),
          'invalid_argument',
          /does not match job .*'s current lease, nor any earlier lease of it.*if you claimed it, it is still yours and nothing expired/,
        );
        expect(err.message).not.toMatch(/expired \(|claimed again|no longer yours/);
      }
      expect(await snapshotTables(q.db)).toEqual(before);
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).action).toBe('continue');
    });

    it('of an earlier attempt: its lease expired and the job was claimed again by another worker', async () => {
      const { id, stale, token } = await reclaimed();
      const err = await expectQueueError(
        q.service.complete({ jobId: id, leaseToken: stale }),
        'lease_lost',
        /^This job is no longer yours: your lease of attempt 1 expired \(no heartbeat in time\), and it was claimed again \(attempt 2, by worker-2\)\./,
      );
      expect(err.details).toMatchObject({ action: 'lease_lost', status: 'running', attempt: 1 });
      expect((await q.service.heartbeat({ jobId: id, leaseToken: token })).job.claimedBy).toBe('worker-2');
    });

    it('of an attempt whose lease expired, job not claimed since: it is now queued', async () => {
      const { job, token } = await startJob(q.service, { leaseSeconds: 10 });
      clock.advance(11);
      await q.service.sweepExpired();
      await expectQueueError(
        q.service.heartbeat({ jobId: job.id, leaseToken: token }),
        'lease_lost',
        /your lease of attempt 1 expired .*, and it is now queued\./,
      );
    });

    it('keeps only a tag of each token in the timeline, never the token', async () => {
      const { id, stale, token } = await reclaimed();
      const { events } = await q.service.events({ jobId: id, limit: 100 });
      const claims = events.filter((e) => e.kind === 'claimed').map((e) => e.data);
      expect(claims).toEqual([
        { workerId: 'worker-1', lease: leaseTag(stale) },
        { workerId: 'worker-2', lease: leaseTag(token) },
      ]);
      expect(JSON.stringify(events)).not.toContain(stale);
      expect(JSON.stringify(events)).not.toContain(token);
    });
  });

  describe("the holder's finishing call, repeated", () => {
    it('complete: the same call answers the same job; a key order change is the same result', async () => {
      const { job, token } = await startJob(q.service);
      const result = { pages: [1, 2], verdict: 'ok', meta: { a: 1, b: 2 } };
      const first = await q.service.complete({
        jobId: job.id,
        leaseToken: token,
        result,
        resultSummary: 'done',
      });
      clock.advance(30);
      const before = await snapshotTables(q.db);
      const again = await q.service.complete({
        jobId: job.id,
        leaseToken: token,
        result,
        resultSummary: 'done',
      });
      expect(again).toEqual(first);
      const reordered = { meta: { b: 2, a: 1 }, verdict: 'ok', pages: [1, 2] };
      expect(
        await q.service.complete({
          jobId: job.id,
          leaseToken: token,
          result: reordered,
          resultSummary: 'done',
        }),
      ).toEqual(first);
      expect(await snapshotTables(q.db)).toEqual(before);
    });

    it('complete with another result or summary: job_state_conflict, the first one stands', async () => {
      const { job, token } = await startJob(q.service);
      const first = await q.service.complete({ jobId: job.id, leaseToken: token, resultSummary: 'done' });
      const before = await snapshotTables(q.db);
      for (const other of [
        { resultSummary: 'done', result: { extra: true } },
        { resultSummary: 'finished' },
        {},
      ]) {
        const err = await expectQueueError(
          q.service.complete({ jobId: job.id, leaseToken: token, ...other }),
          'job_state_conflict',
          /already succeeded: your earlier complete with this lease token was recorded, with a different result or resultSummary\. The first one stands/,
        );
        expect(err.details).toMatchObject({ status: 'succeeded', resultSummary: 'done' });
      }
      expect(await snapshotTables(q.db)).toEqual(before);
      expect((await q.service.get({ jobId: job.id })).job).toEqual(first.job);
    });

    it('fail: the same call answers the job as it is; another retryable conflicts; nothing is written', async () => {
      const { job, token } = await startJob(q.service);
      const first = await q.service.fail({ jobId: job.id, leaseToken: token, error: 'timeout' });
      expect(first.job.status).toBe('queued');
      const before = await snapshotTables(q.db);
      // The error text is not compared: the outcome of a fail is decided by retryable.
      expect(await q.service.fail({ jobId: job.id, leaseToken: token, error: 'timeout (again)' })).toEqual(
        first,
      );
      await expectQueueError(
        q.service.fail({ jobId: job.id, leaseToken: token, error: 'timeout', retryable: false }),
        'job_state_conflict',
        /already ended attempt 1 with retryable: true; the job is now queued/,
      );
      expect(await snapshotTables(q.db)).toEqual(before);
      await expectQueueError(
        q.service.complete({ jobId: job.id, leaseToken: token }),
        'lease_lost',
        /you already ended attempt 1 with fail using this token, so complete cannot apply, and it is now queued/,
      );
    });

    it('fail repeated after the job was claimed again: lease_lost, the new attempt untouched', async () => {
      const { job, token } = await startJob(q.service);
      await q.service.fail({ jobId: job.id, leaseToken: token, error: 'boom' });
      clock.advance(3600);
      const next = await q.service.claim({ workerId: 'worker-2' });
      expect(next.job).toMatchObject({ id: job.id, status: 'running', attempt: 2 });
      const before = await snapshotTables(q.db);
      // Returning the running job here would read as if worker-1 still held it.
      const err = await expectQueueError(
        q.service.fail({ jobId: job.id, leaseToken: token, error: 'boom' }),
        'lease_lost',
        /^This job is no longer yours: you already ended attempt 1 with fail using this token, so fail cannot apply, and it was claimed again \(attempt 2, by worker-2\)\./,
      );
      expect(err.details).toMatchObject({ action: 'lease_lost', status: 'running', attempt: 1 });
      expect(await snapshotTables(q.db)).toEqual(before);
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: next.lease!.token })).action).toBe(
        'continue',
      );
    });

    it('fail repeated after an operator retry: lease_lost whether or not the job was claimed again', async () => {
      const { job, token } = await startJob(q.service);
      const fail = () =>
        q.service.fail({ jobId: job.id, leaseToken: token, error: 'bad input', retryable: false });
      await fail();
      await q.service.retry({ jobId: job.id, requestedBy: 'ops' });
      await expectQueueError(fail(), 'lease_lost', /with fail using this token, .*, and it is now queued\./);
      // The new claim is attempt 1 again: only the later claim tells it from the token's attempt.
      const next = await q.service.claim({ workerId: 'worker-2' });
      expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
      const before = await snapshotTables(q.db);
      await expectQueueError(
        fail(),
        'lease_lost',
        /with fail using this token, so fail cannot apply, and it was claimed again \(attempt 1, by worker-2\)/,
      );
      expect(await snapshotTables(q.db)).toEqual(before);
    });

    it('fail that dead-letters, repeated: the same dead_letter job', async () => {
      const { job, token } = await startJob(q.service, { enqueue: { maxAttempts: 1 } });
      const first = await q.service.fail({ jobId: job.id, leaseToken: token, error: 'no' });
      expect(first.job.status).toBe('dead_letter');
      expect(await q.service.fail({ jobId: job.id, leaseToken: token, error: 'no' })).toEqual(first);
    });

    it('ackCancel: the same call answers the same cancelled job; other calls with the token are lease_lost', async () => {
      const { job, token } = await startJob(q.service);
      await q.service.cancel({ jobId: job.id, reason: 'not needed' });
      const first = await q.service.ackCancel({ jobId: job.id, leaseToken: token });
      expect(first.job.status).toBe('cancelled');
      expect(await q.service.ackCancel({ jobId: job.id, leaseToken: token, message: 'again' })).toEqual(
        first,
      );
      await expectQueueError(
        q.service.heartbeat({ jobId: job.id, leaseToken: token }),
        'lease_lost',
        /you already ended attempt 1 with ackCancel using this token/,
      );
      expect(await eventKinds(q.service, job.id)).toEqual([
        'enqueued',
        'claimed',
        'cancel_requested',
        'cancelled',
      ]);
    });

    it('a token from before an operator retry still tells its own story', async () => {
      const { job, token } = await startJob(q.service);
      await q.service.fail({ jobId: job.id, leaseToken: token, error: 'bad input', retryable: false });
      await q.service.retry({ jobId: job.id, requestedBy: 'ops' });
      const next = await q.service.claim({ workerId: 'worker-2' });
      expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
      await expectQueueError(
        q.service.heartbeat({ jobId: job.id, leaseToken: token }),
        'lease_lost',
        /you already ended attempt 1 with fail .*, and it was claimed again \(attempt 1, by worker-2\)/,
      );
    });
  });
});
