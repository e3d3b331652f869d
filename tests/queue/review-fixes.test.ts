// Inputs and states where the two backends used to part ways: retrying a job whose dedupeKey is
// taken again, NUL characters (PostgreSQL cannot store them), and upper-case job ids.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';

describe.each(backendsForSuite())('backend parity edges ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  it('retry of a failed job whose dedupeKey is held by a newer unfinished job is a job_state_conflict', async () => {
    const first = (await q.service.enqueue({ type: 'sync', dedupeKey: 'repo-1' })).job;
    const { lease } = await q.service.claim({ workerId: 'w' });
    await q.service.fail({ jobId: first.id, leaseToken: lease!.token, error: 'boom', retryable: false });
    const second = await q.service.enqueue({ type: 'sync', dedupeKey: 'repo-1' });
    expect(second.deduplicated).toBe(false);
    await expectQueueError(q.service.retry({ jobId: first.id }), 'job_state_conflict', /dedupeKey/);
    expect((await q.service.get({ jobId: first.id })).job.status).toBe('failed');
  });

  it('refuses NUL characters in payloads and texts with invalid_argument on both backends', async () => {
    await expectQueueError(
      q.service.enqueue({ type: 't', payload: { s: 'a\u0000b' } }),
      'invalid_argument',
      /NUL/,
    );
    await q.service.enqueue({ type: 't' });
    const { job, lease } = await q.service.claim({ workerId: 'w' });
    await expectQueueError(
      q.service.fail({ jobId: job!.id, leaseToken: lease!.token, error: 'bad\u0000' }),
      'invalid_argument',
      /NUL/,
    );
    expect((await q.service.list()).jobs).toHaveLength(1);
  });

  it('lease_lost from any holder call carries action and the system block', async () => {
    await q.service.enqueue({ type: 't' });
    const { job, lease } = await q.service.claim({ workerId: 'w' });
    await q.service.complete({ jobId: job!.id, leaseToken: lease!.token });
    for (const call of [
      () => q.service.heartbeat({ jobId: job!.id, leaseToken: lease!.token }),
      () => q.service.fail({ jobId: job!.id, leaseToken: lease!.token, error: 'x' }),
      () => q.service.ackCancel({ jobId: job!.id, leaseToken: lease!.token }),
    ]) {
      const err = await call().then(
        () => null,
        (e: unknown) => e as { code: string; details: Record<string, unknown> },
      );
      expect(err?.code).toBe('lease_lost');
      expect(err?.details).toMatchObject({ action: 'lease_lost', system: { workersPaused: false } });
    }
  });

  it('a claim whose caller already went away takes no job', async () => {
    await q.service.enqueue({ type: 't' });
    const abort = new AbortController();
    abort.abort();
    for (const waitSeconds of [0, 5]) {
      const answer = await q.service.claim({ workerId: 'w', waitSeconds }, { signal: abort.signal });
      expect(answer).toMatchObject({ job: null, action: 'wait' });
    }
    expect((await q.service.list({ status: 'queued' })).jobs).toHaveLength(1);
  });

  it('accepts a job id in upper case', async () => {
    const { job } = await q.service.enqueue({ type: 't' });
    expect((await q.service.get({ jobId: job.id.toUpperCase() })).job.id).toBe(job.id);
  });
});
