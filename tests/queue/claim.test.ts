// claim (SPEC §6, §9): order, filters, capability matching, lease, attempt, and the answer's shape.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds } from '../helpers/jobs.js';

describe.each(backendsForSuite())('claim ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  /** Claims until the queue answers `wait`; returns the ids in claim order. */
  async function drain(input: { types?: string[]; capabilities?: string[] } = {}): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const a = await q.service.claim({ workerId: 'w', ...input });
      if (!a.job) return ids;
      ids.push(a.job.id);
    }
  }

  it('answers an empty queue with wait, retryAfterSeconds, no job and the system block', async () => {
    const answer = await q.service.claim({ workerId: 'w' });
    expect(answer).toMatchObject({ job: null, lease: null, action: 'wait' });
    expect(answer.retryAfterSeconds).toBeGreaterThan(0);
    expect(answer.system).toMatchObject({ workersPaused: false, mode: null, reason: null, version: 0 });
    expect(typeof answer.system.updatedAt).toBe('string');
  });

  it('hands out a job as running with a lease, action work and the system block', async () => {
    const { job } = await q.service.enqueue({ type: 't' });
    const now = clock.now();
    const answer = await q.service.claim({ workerId: 'worker-a', leaseSeconds: 90 });
    expect(answer.action).toBe('work');
    expect(answer.retryAfterSeconds).toBeUndefined();
    expect(answer.system.workersPaused).toBe(false);
    const expires = new Date(now.getTime() + 90_000).toISOString();
    expect(answer.lease).toEqual({ token: expect.any(String), expiresAt: expires, seconds: 90 });
    expect(answer.lease!.token.length).toBeGreaterThanOrEqual(16);
    expect(answer.job).toMatchObject({
      id: job.id,
      status: 'running',
      claimedBy: 'worker-a',
      attempt: 1,
      leaseExpiresAt: expires,
      startedAt: now.toISOString(),
      finishedAt: null,
    });
    // The token is the claimer's secret: it is never part of a job as anyone else sees it.
    expect(JSON.stringify((await q.service.get({ jobId: job.id })).job)).not.toContain(answer.lease!.token);
    expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed']);
    const { events } = await q.service.events({ jobId: job.id });
    expect(events[1]).toMatchObject({ kind: 'claimed', attempt: 1, data: { workerId: 'worker-a' } });
  });

  it('uses the 600 s default lease when leaseSeconds is not given', async () => {
    await q.service.enqueue({ type: 't' });
    const answer = await q.service.claim({ workerId: 'w' });
    expect(answer.lease?.seconds).toBe(600);
    expect(answer.lease?.expiresAt).toBe(new Date(clock.now().getTime() + 600_000).toISOString());
  });

  it('orders by priority DESC, then createdAt ASC', async () => {
    const names: Record<string, string> = {};
    for (const [name, priority] of [
      ['low-old', 0],
      ['high-old', 5],
      ['high-new', 5],
      ['low-new', 0],
      ['neg', -1],
    ] as const) {
      names[(await q.service.enqueue({ type: 't', priority })).job.id] = name;
      clock.advance(1);
    }
    expect((await drain()).map((id) => names[id])).toEqual([
      'high-old',
      'high-new',
      'low-old',
      'low-new',
      'neg',
    ]);
  });

  it('breaks ties of equal priority and createdAt by id ASC', async () => {
    // The fake clock stands still, so all ten share one createdAt.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await q.service.enqueue({ type: 't' })).job.id);
    expect(await drain()).toEqual([...ids].sort());
  });

  it('only claims the given types; without types any type', async () => {
    const a = (await q.service.enqueue({ type: 'alpha' })).job.id;
    const b = (await q.service.enqueue({ type: 'beta' })).job.id;
    clock.advance(1);
    const c = (await q.service.enqueue({ type: 'gamma' })).job.id;
    expect(await drain({ types: ['beta', 'delta'] })).toEqual([b]);
    expect(await drain({ types: ['gamma'] })).toEqual([c]);
    expect(await drain()).toEqual([a]);
  });

  it('gives a job only to a worker that has all of its required capabilities', async () => {
    const both = (await q.service.enqueue({ type: 't', requiredCapabilities: ['gpu', 'linux'] })).job.id;
    const gpu = (await q.service.enqueue({ type: 't', requiredCapabilities: ['gpu'], priority: -1 })).job.id;
    const none = (await q.service.enqueue({ type: 't', priority: -2 })).job.id;
    // No capabilities: only the job that needs none.
    expect(await drain({ capabilities: [] })).toEqual([none]);
    // gpu but not linux: not the job that needs both.
    expect(await drain({ capabilities: ['linux-ish', 'gpu'] })).toEqual([gpu]);
    expect(await drain({ capabilities: ['linux'] })).toEqual([]);
    // A superset qualifies.
    expect(await drain({ capabilities: ['docker', 'linux', 'gpu'] })).toEqual([both]);
  });

  it('skips jobs that are not queued: running, finished and not yet due', async () => {
    const running = (await q.service.enqueue({ type: 't' })).job.id;
    const first = await q.service.claim({ workerId: 'w' });
    expect(first.job?.id).toBe(running);
    const done = (await q.service.enqueue({ type: 't' })).job.id;
    const second = await q.service.claim({ workerId: 'w' });
    await q.service.complete({ jobId: done, leaseToken: second.lease!.token });
    await q.service.enqueue({ type: 't', delaySeconds: 5 });
    expect(await drain()).toEqual([]);
  });

  it('increments attempt, issues a new lease token at every claim and keeps the first startedAt', async () => {
    const { job } = await q.service.enqueue({ type: 't' });
    const firstStart = clock.now().toISOString();
    const first = await q.service.claim({ workerId: 'w1' });
    await q.service.fail({ jobId: job.id, leaseToken: first.lease!.token, error: 'try again' });
    clock.advance(3600);
    const second = await q.service.claim({ workerId: 'w2' });
    expect(second.job).toMatchObject({ id: job.id, attempt: 2, claimedBy: 'w2', startedAt: firstStart });
    expect(second.lease!.token).not.toBe(first.lease!.token);
    // The old token no longer works.
    await expect(
      q.service.heartbeat({ jobId: job.id, leaseToken: first.lease!.token }),
    ).rejects.toMatchObject({
      code: 'lease_lost',
    });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.filter((e) => e.kind === 'claimed').map((e) => e.attempt)).toEqual([1, 2]);
  });
});
