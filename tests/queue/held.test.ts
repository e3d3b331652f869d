// A worker lists the jobs it holds (issue 13): running jobs claimed under its worker id, each with
// its lease token, which still works. Other workers' jobs, finished jobs and lost leases are not
// listed, and no operator read ever carries a token. Both backends.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { startJob } from '../helpers/jobs.js';

describe.each(backendsForSuite())('held jobs ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('lists the running jobs of this worker id with tokens that still work', async () => {
    const a = await startJob(q.service, { type: 'a', workerId: 'laptop-1' });
    const b = await startJob(q.service, { type: 'b', workerId: 'laptop-1' });
    await startJob(q.service, { type: 'c', workerId: 'laptop-2' });
    const done = await startJob(q.service, { type: 'd', workerId: 'laptop-1' });
    await q.service.complete({ jobId: done.job.id, leaseToken: done.token });
    await q.service.enqueue({ type: 'queued' });

    // Another connection: as a restarted process would ask.
    const restarted = q.connect();
    const held = await restarted.held({ workerId: 'laptop-1' });
    expect(held.workerId).toBe('laptop-1');
    expect(held.jobs.map((h) => [h.job.id, h.lease.token])).toEqual([
      [b.job.id, b.token],
      [a.job.id, a.token],
    ]);
    expect(held.jobs[0]!.job).toMatchObject({ status: 'running', type: 'b', claimedBy: 'laptop-1' });
    expect(held.jobs[0]!.lease.seconds).toBeGreaterThan(0);

    const beat = await restarted.heartbeat({ jobId: a.job.id, leaseToken: held.jobs[1]!.lease.token });
    expect(beat.action).toBe('continue');
    const completed = await restarted.complete({ jobId: a.job.id, leaseToken: held.jobs[1]!.lease.token });
    expect(completed.job.status).toBe('succeeded');
    expect((await restarted.held({ workerId: 'laptop-1' })).jobs.map((h) => h.job.id)).toEqual([b.job.id]);
    expect((await restarted.held({ workerId: 'nobody' })).jobs).toEqual([]);
  });

  it('no operator read carries a token: list (full or not), get', async () => {
    const { job, token } = await startJob(q.service, { workerId: 'laptop-1' });
    const reads = [
      await q.service.list({}),
      await q.service.list({ full: true, status: 'running' }),
      await q.service.get({ jobId: job.id, events: 10 }),
    ];
    for (const answer of reads) expect(JSON.stringify(answer)).not.toContain(token);
  });

  it('an operator lists by claimedBy (without tokens) to see what a worker holds', async () => {
    const mine = await startJob(q.service, { type: 'a', workerId: 'laptop-1' });
    await startJob(q.service, { type: 'b', workerId: 'laptop-2' });
    const page = await q.service.list({ status: 'running', claimedBy: 'laptop-1', full: true });
    expect(page.jobs.map((j) => j.id)).toEqual([mine.job.id]);
    expect(JSON.stringify(page)).not.toContain(mine.token);
    await expect(q.service.list({ claimedBy: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('does not list a job whose lease was lost and that another worker now holds', async () => {
    const lost = await startJob(q.service, { workerId: 'laptop-1', leaseSeconds: 10 });
    clock.advance(11);
    expect(await q.service.sweepExpired()).toBe(1);
    // Past the retry backoff: another worker claims the job again.
    clock.advance(3600);
    const again = await q.service.claim({ workerId: 'laptop-2' });
    expect(again.job?.id).toBe(lost.job.id);
    expect((await q.service.held({ workerId: 'laptop-1' })).jobs).toEqual([]);
    expect((await q.service.held({ workerId: 'laptop-2' })).jobs.map((h) => h.lease.token)).toEqual([
      again.lease!.token,
    ]);
  });

  it('refuses a missing or empty worker id with invalid_argument', async () => {
    await expect(q.service.held({ workerId: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(q.service.held({} as never)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
