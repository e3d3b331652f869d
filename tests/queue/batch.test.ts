// Batched claim and completion (issue 12): up to `limit` jobs per claim, each with its own lease
// and timeline; many completes in one write where safe, the rest answered as `complete` would.
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, openTestQueue, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds } from '../helpers/jobs.js';
import { insertQueuedJobs, queryNumber } from '../helpers/sql.js';
import type { QueueService } from '../../src/queue/service.js';

describe.each(backendsForSuite())('batched claim and completion ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('takes up to limit jobs in claim order, each running with its own lease and claimed event', async () => {
    const low = await q.service.enqueue({ type: 't', priority: 0 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await q.service.enqueue({ type: 't', priority: 5 })).job.id);
    const a = await q.service.claimBatch({ workerId: 'w', limit: 3, leaseSeconds: 60 });
    expect(a.action).toBe('work');
    expect(a.jobs.map((j) => j.job.id)).toEqual(ids.slice(0, 3));
    expect(new Set(a.jobs.map((j) => j.lease.token)).size).toBe(3);
    const expires = new Date(clock.now().getTime() + 60_000).toISOString();
    for (const { job, lease } of a.jobs) {
      expect(job).toMatchObject({ status: 'running', claimedBy: 'w', attempt: 1, leaseExpiresAt: expires });
      expect(lease).toEqual({ token: expect.any(String), expiresAt: expires, seconds: 60 });
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
    }
    // The rest, then nothing: `wait` with the system block, as a single claim answers.
    const b = await q.service.claimBatch({ workerId: 'w', limit: 10 });
    expect(b.jobs.map((j) => j.job.id)).toEqual([ids[3], low.job.id]);
    const c = await q.service.claimBatch({ workerId: 'w', limit: 10 });
    expect(c).toMatchObject({ jobs: [], action: 'wait', system: { workersPaused: false } });
    expect(c.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('each claimed job holds its own lease: a heartbeat and complete with its token work', async () => {
    for (let i = 0; i < 3; i++) await q.service.enqueue({ type: 't' });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 3 });
    const [first, second] = jobs;
    await expect(
      q.service.complete({ jobId: first!.job.id, leaseToken: second!.lease.token }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    const hb = await q.service.heartbeat({ jobId: second!.job.id, leaseToken: second!.lease.token });
    expect(hb.action).toBe('continue');
    const done = await q.service.complete({ jobId: first!.job.id, leaseToken: first!.lease.token });
    expect(done.job.status).toBe('succeeded');
  });

  it('takes nothing while workers or the queue are paused, and honours types and capabilities', async () => {
    await q.service.enqueue({ type: 'a' });
    await q.service.enqueue({ type: 'b', requiredCapabilities: ['gpu'] });
    await q.service.control.pause({ mode: 'drain', reason: 'upgrade' });
    const paused = await q.service.claimBatch({ workerId: 'w', limit: 5 });
    expect(paused).toMatchObject({ jobs: [], action: 'wait', system: { workersPaused: true } });
    await q.service.control.resume({ reason: 'done', force: true });
    const onlyB = await q.service.claimBatch({ workerId: 'w', limit: 5, types: ['b'] });
    expect(onlyB.jobs).toHaveLength(0);
    const withGpu = await q.service.claimBatch({ workerId: 'w', limit: 5, capabilities: ['gpu'] });
    expect(withGpu.jobs.map((j) => j.job.type).sort()).toEqual(['a', 'b']);
  });

  it('never lets more jobs of a concurrency key run than its limit', async () => {
    await q.service.limits.set({ key: 'k', max: 2 });
    for (let i = 0; i < 4; i++) await q.service.enqueue({ type: 't', concurrencyKey: 'k' });
    await q.service.enqueue({ type: 't' });
    const keyed = (jobs: { job: { concurrencyKey: string | null } }[]) =>
      jobs.filter((j) => j.job.concurrencyKey === 'k');
    // PostgreSQL takes one job per key per batch (its room count sees running jobs only), SQLite
    // claims one after another in one transaction and fills the key's room: both stop at the limit.
    const taken = [];
    for (let round = 0; round < 3; round++)
      taken.push(...(await q.service.claimBatch({ workerId: 'w', limit: 10 })).jobs);
    expect(keyed(taken)).toHaveLength(2);
    expect(taken).toHaveLength(3);
    const running = keyed(taken)[0]!;
    await q.service.complete({ jobId: running.job.id, leaseToken: running.lease.token });
    expect(keyed((await q.service.claimBatch({ workerId: 'w', limit: 10 })).jobs)).toHaveLength(1);
    expect((await q.service.claimBatch({ workerId: 'w', limit: 10 })).jobs).toHaveLength(0);
  });

  it('a long-polling batch wakes for an enqueue and returns what it found', async () => {
    const pending = q.service.claimBatch({ workerId: 'w', limit: 5, waitSeconds: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const { job } = await q.service.enqueue({ type: 't' });
    const a = await pending;
    expect(a.jobs.map((j) => j.job.id)).toEqual([job.id]);
  });

  it('refuses a limit outside 1..100 with invalid_argument, and takes nothing', async () => {
    await q.service.enqueue({ type: 't' });
    for (const limit of [0, 101, 1.5, -1])
      await expect(q.service.claimBatch({ workerId: 'w', limit })).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    expect(await queryNumber(q.db, `select count(*) from agent_jobs where status = 'queued'`)).toBe(1);
  });

  it('completes many in one call: results in order, with the completed event and the result', async () => {
    for (let i = 0; i < 5; i++) await q.service.enqueue({ type: 't' });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 5 });
    const answer = await q.service.completeBatch({
      items: jobs.map(({ job, lease }, i) => ({
        jobId: job.id,
        leaseToken: lease.token,
        result: { i },
        resultSummary: `done ${i}`,
      })),
    });
    expect(answer.results).toHaveLength(5);
    for (const [i, r] of answer.results.entries()) {
      expect(r).toMatchObject({ job: { id: jobs[i]!.job.id, status: 'succeeded', result: { i } } });
      const got = (await q.service.get({ jobId: jobs[i]!.job.id })).job;
      expect(got).toMatchObject({ status: 'succeeded', result: { i }, resultSummary: `done ${i}` });
      expect(await eventKinds(q.service, jobs[i]!.job.id)).toEqual(['enqueued', 'claimed', 'completed']);
    }
  });

  it('answers each item as complete would: a wrong token, an unknown job, a repeat, a duplicate', async () => {
    for (let i = 0; i < 3; i++) await q.service.enqueue({ type: 't' });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 3 });
    const [a, b, c] = jobs as [(typeof jobs)[0], (typeof jobs)[0], (typeof jobs)[0]];
    await q.service.complete({ jobId: c.job.id, leaseToken: c.lease.token });
    const answer = await q.service.completeBatch({
      items: [
        { jobId: a.job.id, leaseToken: a.lease.token },
        { jobId: b.job.id, leaseToken: 'not-the-token' },
        { jobId: '01900000-0000-7000-8000-000000000000', leaseToken: 'x' },
        { jobId: c.job.id, leaseToken: c.lease.token },
        { jobId: a.job.id, leaseToken: a.lease.token },
      ],
    });
    const [r0, r1, r2, r3, r4] = answer.results;
    expect(r0).toMatchObject({ job: { id: a.job.id, status: 'succeeded' } });
    expect(r1).toMatchObject({ error: { code: 'invalid_argument' } });
    expect(r2).toMatchObject({ error: { code: 'not_found' } });
    // A repeat of the holder's own complete answers the same job again, as complete does.
    expect(r3).toMatchObject({ job: { id: c.job.id, status: 'succeeded' } });
    expect(r4).toMatchObject({ job: { id: a.job.id, status: 'succeeded' } });
    expect((await q.service.get({ jobId: b.job.id })).job.status).toBe('running');
    expect(await eventKinds(q.service, a.job.id)).toEqual(['enqueued', 'claimed', 'completed']);
  });

  it('ends a job with dependents the single way, so its dependents become claimable', async () => {
    const parent = await q.service.enqueue({ type: 'p' });
    const child = await q.service.enqueue({ type: 'c', dependsOn: [parent.job.id] });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 5 });
    expect(jobs.map((j) => j.job.id)).toEqual([parent.job.id]);
    const answer = await q.service.completeBatch({
      items: [{ jobId: parent.job.id, leaseToken: jobs[0]!.lease.token }],
    });
    expect(answer.results[0]).toMatchObject({ job: { status: 'succeeded' } });
    const next = await q.service.claimBatch({ workerId: 'w', limit: 5 });
    expect(next.jobs.map((j) => j.job.id)).toEqual([child.job.id]);
  });

  it('a result over the payload limit is refused for its item alone', async () => {
    for (let i = 0; i < 2; i++) await q.service.enqueue({ type: 't' });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 2 });
    const big = { s: 'x'.repeat(2_000_000) };
    const answer = await q.service.completeBatch({
      items: [
        { jobId: jobs[0]!.job.id, leaseToken: jobs[0]!.lease.token, result: big },
        { jobId: jobs[1]!.job.id, leaseToken: jobs[1]!.lease.token },
      ],
    });
    expect(answer.results[1]).toMatchObject({ job: { status: 'succeeded' } });
    expect((await q.service.get({ jobId: jobs[0]!.job.id })).job.status).toBe('running');
    // The same refusal, code and message, as a single complete gives.
    const single = await q.service
      .complete({ jobId: jobs[0]!.job.id, leaseToken: jobs[0]!.lease.token, result: big })
      .catch((err: { code: string; message: string }) => ({ code: err.code, message: err.message }));
    expect(answer.results[0]).toEqual({ error: single });
  });

  it('a wait on a job ends when a batch completes it', async () => {
    await q.service.enqueue({ type: 't' });
    const { jobs } = await q.service.claimBatch({ workerId: 'w', limit: 1 });
    const waiting = q.service.wait({ jobId: jobs[0]!.job.id, waitSeconds: 5 });
    await new Promise((r) => setTimeout(r, 100));
    await q.service.completeBatch({ items: [{ jobId: jobs[0]!.job.id, leaseToken: jobs[0]!.lease.token }] });
    const started = Date.now();
    expect(await waiting).toMatchObject({ done: true, job: { status: 'succeeded' } });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe.each(backendsForSuite())('concurrent batched claims ($name)', (backend) => {
  let q: TestQueue | undefined;
  afterEach(async () => {
    await q?.close();
    q = undefined;
  });

  /** Claims batches and completes them in batches until the queue answers `wait`. */
  async function drainBatched(service: QueueService, workerId: string): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const { jobs } = await service.claimBatch({ workerId, limit: 7 });
      if (jobs.length === 0) return ids;
      ids.push(...jobs.map((j) => j.job.id));
      const { results } = await service.completeBatch({
        items: jobs.map(({ job, lease }) => ({ jobId: job.id, leaseToken: lease.token })),
      });
      for (const r of results) expect(r).toMatchObject({ job: { status: 'succeeded' } });
    }
  }

  it(
    '6 batched claimers on their own connections drain 1,500 jobs, each exactly once',
    { timeout: 120_000 },
    async () => {
      q = await openTestQueue(backend);
      const claimers = Array.from({ length: 6 }, () => q!.connect());
      const jobIds = await insertQueuedJobs(q.db, 1_500, 'load');
      const claimed = (await Promise.all(claimers.map((s, i) => drainBatched(s, `b-${i}`)))).flat();
      expect(claimed).toHaveLength(jobIds.length);
      expect(new Set(claimed).size).toBe(jobIds.length);
      expect([...claimed].sort()).toEqual([...jobIds].sort());
      const db = q.db;
      expect(
        await queryNumber(db, `select count(*) from agent_jobs where status = 'succeeded' and attempt = 1`),
      ).toBe(jobIds.length);
      expect(await queryNumber(db, `select count(*) from agent_job_events where kind = 'claimed'`)).toBe(
        jobIds.length,
      );
      expect(await queryNumber(db, `select count(*) from agent_job_events where kind = 'completed'`)).toBe(
        jobIds.length,
      );
    },
  );
});
