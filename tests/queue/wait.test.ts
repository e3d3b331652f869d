// service.wait (SPEC §16 "Delegate and await") on both backends: it answers when the job ends through
// another connection (woken by its job_finished signal), the job as it stands at the deadline, and
// early on abort. A test makes its change once the wait is blocked (whenIdle), never after a sleep.
import { describe, expect, it } from 'vitest';
import { newTaskId } from '../../src/core/ids.js';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { track, untilWaiting } from '../helpers/waiting.js';

describe.each(backendsForSuite())('wait for a job to end ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  it('answers with the result as soon as another connection completes the job', async () => {
    const { job } = await q.service.enqueue({ type: 'build', payload: { big: 'input' } });
    const worker = q.connect();
    const { lease } = await worker.claim({ workerId: 'w' });
    const waiting = track(q.service.wait({ jobId: job.id, waitSeconds: 30 }));
    await untilWaiting(q.whenIdle(), waiting.answer);
    await worker.complete({ jobId: job.id, leaseToken: lease!.token, result: { ok: true } });
    const answer = await waiting.answer;
    expect(answer).toMatchObject({
      done: true,
      job: { id: job.id, status: 'succeeded', result: { ok: true } },
    });
    // The caller sent the payload: the answer does not repeat it.
    expect(answer.job).not.toHaveProperty('payload');
    // Before the deadline: woken by the end, not timed out.
    expect(waiting.elapsedMs).toBeLessThan(25_000);
  });

  it('is woken by the end itself, not by its fallback re-check, and counts itself out afterwards', async () => {
    // A job's end NOTIFYs (PostgreSQL) only while a wait counts itself in on the row: a wait that
    // was not counted would still answer, but only at the long-poll's 1 s fallback re-check.
    const worker = q.connect();
    for (let round = 0; round < 5; round++) {
      const { job } = await q.service.enqueue({ type: 'build' });
      const { lease } = await worker.claim({ workerId: 'w' });
      const waiting = track(q.service.wait({ jobId: job.id, waitSeconds: 30 }));
      await untilWaiting(q.whenIdle(), waiting.answer);
      const ended = performance.now();
      await worker.complete({ jobId: job.id, leaseToken: lease!.token });
      expect(await waiting.answer).toMatchObject({ done: true });
      expect(performance.now() - ended).toBeLessThan(900);
      expect((await q.store.jobGet({ id: job.id }))?.awaiters).toBe(0);
    }
  });

  it('answers a failed or cancelled end too, with its error', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    const waiting = track(q.service.wait({ jobId: job.id, waitSeconds: 30 }));
    await untilWaiting(q.whenIdle(), waiting.answer);
    await q.connect().cancel({ jobId: job.id, reason: 'not needed' });
    expect(await waiting.answer).toMatchObject({
      done: true,
      job: { status: 'cancelled', cancelReason: 'not needed' },
    });
  });

  it('answers the job as it stands at the deadline, at once when waitSeconds is 0, and on abort', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    expect(await q.service.wait({ jobId: job.id, waitSeconds: 0.2 })).toMatchObject({
      done: false,
      job: { id: job.id, status: 'queued' },
    });
    expect(await q.service.wait({ jobId: job.id, waitSeconds: 0 })).toMatchObject({ done: false });
    const abort = new AbortController();
    const waiting = track(q.service.wait({ jobId: job.id, waitSeconds: 30 }, { signal: abort.signal }));
    await untilWaiting(q.whenIdle(), waiting.answer);
    abort.abort();
    expect(await waiting.answer).toMatchObject({ done: false, job: { status: 'queued' } });
    expect(waiting.elapsedMs).toBeLessThan(25_000);
  });

  it('with `until`, a cancel request on a running job also ends the wait (done stays false)', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    await q.service.claim({ workerId: 'w' });
    const waiting = track(
      q.service.wait({ jobId: job.id, waitSeconds: 30 }, { until: (j) => j.cancelRequestedAt !== null }),
    );
    await untilWaiting(q.whenIdle(), waiting.answer);
    await q.connect().cancel({ jobId: job.id });
    expect(await waiting.answer).toMatchObject({ done: false, job: { status: 'running' } });
  });

  it('refuses an unknown job and a wait over 50 seconds', async () => {
    await expect(q.service.wait({ jobId: '0190a1b2-0000-7000-8000-000000000000' })).rejects.toMatchObject({
      code: 'not_found',
    });
    const { job } = await q.service.enqueue({ type: 'build' });
    await expect(q.service.wait({ jobId: job.id, waitSeconds: 51 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('finds a job by the task id it was submitted with, which no Job shows', async () => {
    const taskId = newTaskId();
    const { job } = await q.service.enqueue({ type: 'build' }, { taskId });
    expect(job).not.toHaveProperty('taskId');
    expect(await q.connect().jobOfTask(taskId)).toMatchObject({ id: job.id });
    expect(await q.service.jobOfTask(newTaskId())).toBeNull();
    // A task id names one job.
    await expect(q.service.enqueue({ type: 'build' }, { taskId })).rejects.toMatchObject({
      code: 'job_state_conflict',
    });
  });
});
