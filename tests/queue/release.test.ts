// A claim whose answer could not be delivered (issue 14, fix 1), on both backends: release hands the
// job back (queued, attempt not counted, lease cleared, a `released` event saying why) only for
// the token the claim issued; a claim that lands after its caller went away is released by the
// claim itself and answered `wait`; the released token's story stays true (not "expired").
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import { QueueService } from '../../src/queue/service.js';
import type { Store } from '../../src/store/store.js';

describe.each(backendsForSuite())('release of an undelivered claim ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('with the claim token: queued and due, attempt and startedAt restored, lease cleared, event written', async () => {
    const { job, token } = await startJob(q.service);
    expect(job.attempt).toBe(1);
    const { released, job: after } = await q.service.release({
      jobId: job.id,
      leaseToken: token,
      reason: 'caller_gone',
    });
    expect(released).toBe(true);
    expect(after).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null, startedAt: null });
    expect(after.leaseExpiresAt).toBeNull();
    const { events } = await q.service.events({ jobId: job.id, limit: 100 });
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      kind: 'released',
      level: 'warn',
      data: { endedBy: 'release', reason: 'caller_gone' },
    });
    expect(last.message).toMatch(/went away before the answer was delivered/);
    // Claimable at once by anyone, as attempt 1 again: the retry budget is untouched.
    const again = await q.service.claim({ workerId: 'worker-2' });
    expect(again.job).toMatchObject({ id: job.id, attempt: 1, claimedBy: 'worker-2' });
  });

  it('keeps the start of an earlier attempt', async () => {
    const { job, token } = await startJob(q.service);
    await q.service.fail({ jobId: job.id, leaseToken: token, error: 'x', retryable: false });
    await q.service.retry({ jobId: job.id });
    const second = await q.service.claim({ workerId: 'worker-2' });
    expect(second.job).toMatchObject({ id: job.id, attempt: 1, startedAt: job.startedAt });
    const res = await q.service.release({
      jobId: job.id,
      leaseToken: second.lease!.token,
      reason: 'caller_gone',
    });
    expect(res.job).toMatchObject({ status: 'queued', attempt: 0, startedAt: job.startedAt });
  });

  it('refuses a stale or unknown token and changes nothing', async () => {
    const { job, token } = await startJob(q.service);
    const before = await snapshotTables(q.db);
    const wrong = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    const res = await q.service.release({ jobId: job.id, leaseToken: wrong, reason: 'caller_gone' });
    expect(res.released).toBe(false);
    expect(res.job).toMatchObject({ status: 'running', attempt: 1 });
    expect(await snapshotTables(q.db)).toEqual(before);
    // A finished job cannot be released either.
    await q.service.complete({ jobId: job.id, leaseToken: token });
    const done = await snapshotTables(q.db);
    const late = await q.service.release({ jobId: job.id, leaseToken: token, reason: 'caller_gone' });
    expect(late).toMatchObject({ released: false, job: { status: 'succeeded' } });
    expect(await snapshotTables(q.db)).toEqual(done);
    await expectQueueError(
      q.service.release({ jobId: '0190f0f0-0000-7000-8000-000000000000', leaseToken: token, reason: 'x' }),
      'not_found',
    );
  });

  it('the released token cannot release the next claim, and its story says it was handed back', async () => {
    const { job, token } = await startJob(q.service);
    await q.service.release({ jobId: job.id, leaseToken: token, reason: 'stream_closed' });
    const second = await q.service.claim({ workerId: 'worker-2' });
    expect(second.job?.id).toBe(job.id);
    const res = await q.service.release({ jobId: job.id, leaseToken: token, reason: 'caller_gone' });
    expect(res).toMatchObject({ released: false, job: { status: 'running', claimedBy: 'worker-2' } });
    const err = await expectQueueError(
      q.service.complete({ jobId: job.id, leaseToken: token }),
      'lease_lost',
      /handed back because its answer could not be delivered \(stream_closed\)/,
    );
    expect(err.message).not.toMatch(/expired/);
    // The current holder is untouched.
    expect((await q.service.heartbeat({ jobId: job.id, leaseToken: second.lease!.token })).action).toBe(
      'continue',
    );
  });

  it('a job with a cancel request is cancelled, never requeued', async () => {
    const { job, token } = await startJob(q.service);
    await q.service.cancel({ jobId: job.id, reason: 'no longer needed' });
    const res = await q.service.release({ jobId: job.id, leaseToken: token, reason: 'caller_gone' });
    expect(res).toMatchObject({ released: true, job: { status: 'cancelled' } });
    expect((await eventKinds(q.service, job.id)).at(-1)).toBe('cancelled');
  });

  it('a claim that lands after its caller went away is released and answered wait', async () => {
    const gone = new AbortController();
    // The real store; the caller goes away the moment the claim statement has committed.
    const store = new Proxy(q.store, {
      get(target, key) {
        if (key === 'jobClaim') {
          return async (p: Parameters<Store['jobClaim']>[0]) => {
            const out = await target.jobClaim(p);
            if (out.job) gone.abort('session_closing');
            return out;
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const svc = new QueueService({ store });
    try {
      const { job } = await q.service.enqueue({ type: 'test.job', payload: {} });
      const answer = await svc.claim({ workerId: 'worker-1' }, { signal: gone.signal });
      expect(answer).toMatchObject({ job: null, lease: null, action: 'wait' });
      const now = await q.service.get({ jobId: job.id, events: 50 });
      expect(now.job).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null, startedAt: null });
      expect(now.events!.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'released']);
      expect(now.events!.at(-1)!.data).toEqual({ endedBy: 'release', reason: 'session_closing' });
      expect((await q.service.claim({ workerId: 'worker-2' })).job?.id).toBe(job.id);
    } finally {
      await svc.close();
    }
  });
});
