// enqueue (SPEC §4, §6): defaults, options, delayed jobs, dedupe, and the enqueued event.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds, startJob } from '../helpers/jobs.js';

describe.each(backendsForSuite())('enqueue ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  const claimAny = () => q.service.claim({ workerId: 'w', capabilities: ['gpu', 'linux'] });

  it('creates a queued job with the documented defaults', async () => {
    const { job, deduplicated } = await q.service.enqueue({ type: 'code.review' });
    expect(deduplicated).toBe(false);
    expect(job.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(job).toMatchObject({
      type: 'code.review',
      status: 'queued',
      priority: 0,
      payload: {},
      requiredCapabilities: [],
      dedupeKey: null,
      attempt: 0,
      maxAttempts: 3,
      claimedBy: null,
      leaseExpiresAt: null,
      result: null,
      resultSummary: null,
      errorMessage: null,
      startedAt: null,
      finishedAt: null,
      runAt: clock.now().toISOString(),
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    // What enqueue answered is what the database holds.
    expect((await q.service.get({ jobId: job.id })).job).toEqual(job);
  });

  it('stores priority, payload, capabilities, maxAttempts and createdBy as given', async () => {
    const payload = { repo: 'acme/app', nested: { list: [1, 'two', null, true], n: 1.5 }, text: 'ünïcødé ✓' };
    const { job } = await q.service.enqueue({
      type: 'build:linux-x64',
      payload,
      priority: -7,
      requiredCapabilities: ['gpu', 'linux', 'gpu'],
      maxAttempts: 9,
      createdBy: 'ci',
    });
    const stored = (await q.service.get({ jobId: job.id })).job;
    expect(stored.payload).toEqual(payload);
    expect(stored).toMatchObject({ priority: -7, maxAttempts: 9, createdBy: 'ci' });
    // Duplicates in the capability list mean nothing, so they are dropped.
    expect(stored.requiredCapabilities.sort()).toEqual(['gpu', 'linux']);
  });

  it('writes exactly one enqueued event in the same step', async () => {
    const { job } = await q.service.enqueue({ type: 't', priority: 3 });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      jobId: job.id,
      kind: 'enqueued',
      level: 'info',
      attempt: 0,
      at: job.createdAt,
    });
  });

  it('delaySeconds: not claimable before the delay, claimable at it', async () => {
    const { job } = await q.service.enqueue({ type: 't', delaySeconds: 30 });
    expect(job.runAt).toBe(new Date(clock.now().getTime() + 30_000).toISOString());
    expect((await claimAny()).job).toBeNull();
    clock.advance(29.999);
    expect((await claimAny()).job).toBeNull();
    clock.advance(0.001);
    expect((await claimAny()).job?.id).toBe(job.id);
  });

  it('runAt: not claimable before that time; a past runAt is claimable at once', async () => {
    const later = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const { job: future } = await q.service.enqueue({ type: 't', runAt: later });
    expect(future.runAt).toBe(later);
    const { job: past } = await q.service.enqueue({ type: 't', runAt: '2000-01-01T00:00:00+02:00' });
    expect(past.runAt).toBe('1999-12-31T22:00:00.000Z');
    expect((await claimAny()).job?.id).toBe(past.id);
    expect((await claimAny()).job).toBeNull();
    clock.advance(3600);
    expect((await claimAny()).job?.id).toBe(future.id);
  });

  it('dedupeKey: a second enqueue while the first is unfinished returns the same job', async () => {
    const first = await q.service.enqueue({ type: 't', dedupeKey: 'k1', payload: { v: 1 } });
    const again = await q.service.enqueue({ type: 't', dedupeKey: 'k1', payload: { v: 2 } });
    expect(again.deduplicated).toBe(true);
    expect(again.job).toEqual(first.job);
    // Still the same job while it runs.
    const claimed = await q.service.claim({ workerId: 'w' });
    const running = await q.service.enqueue({ type: 't', dedupeKey: 'k1' });
    expect(running).toMatchObject({ deduplicated: true, job: { id: first.job.id, status: 'running' } });
    // The same key under another type is another job.
    const other = await q.service.enqueue({ type: 'u', dedupeKey: 'k1' });
    expect(other.deduplicated).toBe(false);
    // Once it finished, the key is free: a new job.
    await q.service.complete({ jobId: claimed.job!.id, leaseToken: claimed.lease!.token });
    const fresh = await q.service.enqueue({ type: 't', dedupeKey: 'k1' });
    expect(fresh.deduplicated).toBe(false);
    expect(fresh.job.id).not.toBe(first.job.id);
    // A deduplicated enqueue writes nothing: one enqueued event on the original.
    expect((await eventKinds(q.service, first.job.id)).filter((k) => k === 'enqueued')).toHaveLength(1);
    expect((await q.service.list({ type: 't' })).jobs).toHaveLength(2);
  });

  it('dedupeKey: the key is free again after a job fails or dead-letters', async () => {
    const { job, token } = await startJob(q.service, {
      type: 't',
      enqueue: { dedupeKey: 'k', maxAttempts: 1 },
    });
    await q.service.fail({ jobId: job.id, leaseToken: token, error: 'boom' });
    expect((await q.service.get({ jobId: job.id })).job.status).toBe('dead_letter');
    const next = await q.service.enqueue({ type: 't', dedupeKey: 'k' });
    expect(next.deduplicated).toBe(false);
    expect(next.job.id).not.toBe(job.id);
  });

  it('dedupeKey: concurrent enqueues with one key create exactly one job', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        q.service.enqueue({ type: 't', dedupeKey: 'same', payload: { i } }),
      ),
    );
    const ids = new Set(answers.map((a) => a.job.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => !a.deduplicated)).toHaveLength(1);
    expect((await q.service.list({})).jobs).toHaveLength(1);
  });
});
