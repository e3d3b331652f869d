// complete, fail and operator retry (SPEC §5, §6, §15): where each ends, backoff, and ownership.
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { eventKinds, startJob } from '../helpers/jobs.js';

const secondsBetween = (from: Date, iso: string) => (new Date(iso).getTime() - from.getTime()) / 1000;

describe.each(backendsForSuite())('complete, fail, retry ($name)', (backend) => {
  const opened: TestQueue[] = [];
  let clock: FakeClock;

  async function open(random?: () => number): Promise<TestQueue> {
    clock = new FakeClock();
    const q = await openTestQueue(backend, { clock, ...(random ? { random } : {}) });
    opened.push(q);
    return q;
  }
  afterEach(async () => {
    for (const q of opened.splice(0)) await q.close();
  });

  it('complete: succeeded with result, summary and finishedAt; the lease is released', async () => {
    const q = await open();
    const { job, token } = await startJob(q.service);
    clock.advance(42);
    const result = { files: ['a.ts', 'b.ts'], ok: true, score: 0.5 };
    const { job: done } = await q.service.complete({
      jobId: job.id,
      leaseToken: token,
      result,
      resultSummary: '2 files fixed',
    });
    expect(done).toMatchObject({
      status: 'succeeded',
      result,
      resultSummary: '2 files fixed',
      finishedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      leaseExpiresAt: null,
      attempt: 1,
    });
    expect((await q.service.get({ jobId: job.id })).job).toEqual(done);
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.at(-1)).toMatchObject({ kind: 'completed', message: '2 files fixed', attempt: 1 });
  });

  it('complete: a scalar or absent result is kept as given', async () => {
    const q = await open();
    const a = await startJob(q.service);
    expect(
      (await q.service.complete({ jobId: a.job.id, leaseToken: a.token, result: 'plain text' })).job.result,
    ).toBe('plain text');
    const b = await startJob(q.service);
    expect((await q.service.complete({ jobId: b.job.id, leaseToken: b.token })).job).toMatchObject({
      result: null,
      resultSummary: null,
    });
  });

  it('complete twice: the same call again answers the same job; another result conflicts; nothing changes', async () => {
    const q = await open();
    const { job, token } = await startJob(q.service);
    const { job: done } = await q.service.complete({ jobId: job.id, leaseToken: token, result: 1 });
    clock.advance(5);
    expect(await q.service.complete({ jobId: job.id, leaseToken: token, result: 1 })).toEqual({ job: done });
    await expectQueueError(
      q.service.complete({ jobId: job.id, leaseToken: token, result: 2 }),
      'job_state_conflict',
      /already succeeded: your earlier complete with this lease token was recorded, with a different result/,
    );
    await expectQueueError(
      q.service.fail({ jobId: job.id, leaseToken: token, error: 'late' }),
      'lease_lost',
      /you already ended attempt 1 with complete using this token, so fail cannot apply, and it is now succeeded/,
    );
    expect((await q.service.get({ jobId: job.id })).job).toEqual(done);
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed', 'completed']);
    await expectQueueError(q.service.complete({ jobId: randomUUID(), leaseToken: token }), 'not_found');
  });

  it('fail (retryable, attempts left): queued again with runAt = now + 15 s ± 20 %', async () => {
    const q = await open();
    const { job, token } = await startJob(q.service);
    clock.advance(7);
    const { job: back } = await q.service.fail({ jobId: job.id, leaseToken: token, error: 'network down' });
    expect(back).toMatchObject({
      status: 'queued',
      attempt: 1,
      errorMessage: 'network down',
      claimedBy: null,
      leaseExpiresAt: null,
      finishedAt: null,
    });
    const delay = secondsBetween(clock.now(), back.runAt);
    expect(delay).toBeGreaterThanOrEqual(12);
    expect(delay).toBeLessThanOrEqual(18);
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.at(-1)).toMatchObject({
      kind: 'retry_scheduled',
      level: 'warn',
      data: { runAt: back.runAt },
    });
    // Not claimable before runAt, claimable at it, as attempt 2.
    clock.advance(delay - 0.001);
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
    clock.advance(0.001);
    expect((await q.service.claim({ workerId: 'w' })).job).toMatchObject({ id: job.id, attempt: 2 });
  });

  it('fail: backoff doubles per attempt with jitter bounds, capped at 600 s', async () => {
    // random 0 and ~1 are the two ends of the jitter range.
    for (const [random, factor] of [
      [() => 0, 0.8],
      [() => 0.999_999, 1.2],
    ] as const) {
      const q = await open(random);
      const { job } = await q.service.enqueue({ type: 't', maxAttempts: 9 });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 8; attempt++) {
        const a = await q.service.claim({ workerId: 'w' });
        expect(a.job).toMatchObject({ id: job.id, attempt });
        const { job: back } = await q.service.fail({
          jobId: job.id,
          leaseToken: a.lease!.token,
          error: `e${attempt}`,
        });
        delays.push(secondsBetween(clock.now(), back.runAt));
        clock.advance(delays.at(-1)!);
      }
      const expected = [15, 30, 60, 120, 240, 480, 960, 1920].map((b) => Math.min(600, b * factor));
      delays.forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 2));
    }
  });

  it('fail (retryable, no attempts left): dead_letter', async () => {
    const q = await open();
    const { job } = await q.service.enqueue({ type: 't', maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      clock.advance(3600);
      const a = await q.service.claim({ workerId: 'w' });
      await q.service.fail({ jobId: job.id, leaseToken: a.lease!.token, error: `boom ${i}` });
    }
    const dead = (await q.service.get({ jobId: job.id })).job;
    expect(dead).toMatchObject({
      status: 'dead_letter',
      attempt: 2,
      errorMessage: 'boom 1',
      finishedAt: clock.now().toISOString(),
    });
    expect(await eventKinds(q.service, job.id)).toEqual([
      'enqueued',
      'claimed',
      'retry_scheduled',
      'claimed',
      'dead_lettered',
    ]);
    clock.advance(86_400);
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
  });

  it('fail (retryable: false): failed at once, even with attempts left', async () => {
    const q = await open();
    const { job, token } = await startJob(q.service, { enqueue: { maxAttempts: 5 } });
    const { job: failed } = await q.service.fail({
      jobId: job.id,
      leaseToken: token,
      error: 'bad payload',
      retryable: false,
    });
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 1,
      errorMessage: 'bad payload',
      finishedAt: clock.now().toISOString(),
    });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.at(-1)).toMatchObject({ kind: 'failed', level: 'error', message: 'bad payload' });
    clock.advance(86_400);
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
  });

  it('fail with a token the job never issued: invalid_argument, nothing changes', async () => {
    const q = await open();
    const { job, token } = await startJob(q.service);
    const before = (await q.service.get({ jobId: job.id })).job;
    await expectQueueError(
      q.service.fail({ jobId: job.id, leaseToken: 'stale', error: 'x' }),
      'invalid_argument',
      /never issued for this job/,
    );
    expect((await q.service.get({ jobId: job.id })).job).toEqual(before);
    expect(token).not.toBe('stale');
  });

  it('retry by an operator: failed and dead_letter jobs start a fresh cycle at attempt 0', async () => {
    const q = await open();
    const f = await startJob(q.service, { type: 'f' });
    await q.service.fail({ jobId: f.job.id, leaseToken: f.token, error: 'no', retryable: false });
    const d = await startJob(q.service, { type: 'd', enqueue: { maxAttempts: 1 } });
    await q.service.fail({ jobId: d.job.id, leaseToken: d.token, error: 'no' });
    clock.advance(60);
    for (const { job, type } of [
      { job: f.job, type: 'f' },
      { job: d.job, type: 'd' },
    ]) {
      const { job: again } = await q.service.retry({ jobId: job.id, requestedBy: 'ops' });
      expect(again).toMatchObject({
        status: 'queued',
        attempt: 0,
        runAt: clock.now().toISOString(),
        errorMessage: null,
        finishedAt: null,
        claimedBy: null,
      });
      const { events } = await q.service.events({ jobId: job.id });
      expect(events.at(-1)).toMatchObject({ kind: 'retried', attempt: 0 });
      expect(events.at(-1)!.message).toContain('ops');
      const claimed = await q.service.claim({ workerId: 'w', types: [type] });
      expect(claimed.job).toMatchObject({ id: job.id, attempt: 1 });
      await q.service.complete({ jobId: job.id, leaseToken: claimed.lease!.token });
    }
  });

  it('retry refuses jobs that are not failed or dead_letter, and unknown ids', async () => {
    const q = await open();
    const { job: queued } = await q.service.enqueue({ type: 't' });
    await expectQueueError(q.service.retry({ jobId: queued.id }), 'job_state_conflict', /queued/);
    const { job, token } = await startJob(q.service, { type: 'u' });
    await expectQueueError(q.service.retry({ jobId: job.id }), 'job_state_conflict', /running/);
    await q.service.complete({ jobId: job.id, leaseToken: token });
    await expectQueueError(q.service.retry({ jobId: job.id }), 'job_state_conflict', /succeeded/);
    await expectQueueError(q.service.retry({ jobId: randomUUID() }), 'not_found');
    expect(await eventKinds(q.service, queued.id)).toEqual(['enqueued']);
  });
});
