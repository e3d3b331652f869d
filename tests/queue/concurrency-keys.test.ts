// Concurrency keys (SPEC §16): a claim skips a job whose key already has its limit of running jobs
// (default 1; 0 holds the key), takes the next job it may, and a key's slot is free again as soon
// as a running job with it ends, however it ends. Limits are set, removed and listed by operators;
// a claimer waiting on a full key is woken when the key gets room, not by its fallback re-check.
// The race of many claimers against one key: concurrency-keys-race.test.ts.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { untilWaiting } from '../helpers/waiting.js';
import type { QueueService } from '../../src/queue/service.js';
import type { EnqueueInput } from '../../src/queue/schemas.js';

const TYPE = 'deploy';

async function enqueue(svc: QueueService, key: string | undefined, more: Partial<EnqueueInput> = {}) {
  const { job } = await svc.enqueue({
    type: TYPE,
    payload: {},
    ...(key === undefined ? {} : { concurrencyKey: key }),
    ...more,
  });
  return job;
}

/** Claims once (no waiting); the job and its lease token, or null. */
async function claim(svc: QueueService, workerId = 'w') {
  const a = await svc.claim({ workerId });
  return a.job ? { id: a.job.id, key: a.job.concurrencyKey, token: a.lease!.token } : null;
}

describe.each(backendsForSuite())('concurrency keys ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('shows the key on the public job', async () => {
    const job = await enqueue(q.service, 'repo:acme/api');
    expect(job.concurrencyKey).toBe('repo:acme/api');
    expect((await q.service.get({ jobId: job.id })).job.concurrencyKey).toBe('repo:acme/api');
    expect((await enqueue(q.service, undefined)).concurrencyKey).toBeNull();
  });

  it('runs one job of a key at a time by default', async () => {
    const [a, b] = [await enqueue(q.service, 'k'), await enqueue(q.service, 'k')];
    const first = await claim(q.service);
    expect(first?.id).toBe(a.id);
    expect(await claim(q.service)).toBeNull();
    await q.service.complete({ jobId: a.id, leaseToken: first!.token });
    expect((await claim(q.service))?.id).toBe(b.id);
  });

  it('runs up to the limit set for the key', async () => {
    await q.service.limits.set({ key: 'k', max: 2 });
    const jobs = [
      await enqueue(q.service, 'k'),
      await enqueue(q.service, 'k'),
      await enqueue(q.service, 'k'),
    ];
    expect((await claim(q.service))?.id).toBe(jobs[0]!.id);
    expect((await claim(q.service))?.id).toBe(jobs[1]!.id);
    expect(await claim(q.service)).toBeNull();
  });

  it('holds a key at limit 0: none of its jobs start until the limit rises', async () => {
    await q.service.limits.set({ key: 'held', max: 0 });
    const held = await enqueue(q.service, 'held');
    expect(await claim(q.service)).toBeNull();
    await q.service.limits.set({ key: 'held', max: 1 });
    expect((await claim(q.service))?.id).toBe(held.id);
  });

  it('leaves jobs without a key alone, whatever the keys around them', async () => {
    await q.service.limits.set({ key: 'held', max: 0 });
    await enqueue(q.service, 'held', { priority: 10 });
    const free = [await enqueue(q.service, undefined), await enqueue(q.service, undefined)];
    // Both run at once: no key, no limit.
    expect((await claim(q.service))?.id).toBe(free[0]!.id);
    expect((await claim(q.service))?.id).toBe(free[1]!.id);
    expect(await claim(q.service)).toBeNull();
  });

  it("skips a full key's job for a later job of another key, then keeps the order", async () => {
    const a1 = await enqueue(q.service, 'a', { priority: 5 });
    const a2 = await enqueue(q.service, 'a', { priority: 5 });
    const b1 = await enqueue(q.service, 'b');
    const none = await enqueue(q.service, undefined);
    const first = await claim(q.service);
    expect(first?.id).toBe(a1.id);
    // a2 comes first by priority and age, but its key is full.
    expect((await claim(q.service))?.id).toBe(b1.id);
    expect((await claim(q.service))?.id).toBe(none.id);
    expect(await claim(q.service)).toBeNull();
    await q.service.complete({ jobId: a1.id, leaseToken: first!.token });
    expect((await claim(q.service))?.id).toBe(a2.id);
  });

  describe('frees the slot when the running job ends', () => {
    /** A running job of key k and a second one waiting for its slot. */
    async function fullKey() {
      const running = await enqueue(q.service, 'k', { maxAttempts: 2 });
      const waiting = await enqueue(q.service, 'k');
      const held = await claim(q.service);
      expect(held?.id).toBe(running.id);
      expect(await claim(q.service)).toBeNull();
      return { running, waiting, token: held!.token };
    }

    it('by complete', async () => {
      const { running, waiting, token } = await fullKey();
      await q.service.complete({ jobId: running.id, leaseToken: token });
      expect((await claim(q.service))?.id).toBe(waiting.id);
    });

    it('by a retryable fail (the failed job waits out its backoff)', async () => {
      const { running, waiting, token } = await fullKey();
      const back = await q.service.fail({ jobId: running.id, leaseToken: token, error: 'flaky' });
      expect(back.job.status).toBe('queued');
      expect((await claim(q.service))?.id).toBe(waiting.id);
    });

    it('by a final fail', async () => {
      const { running, waiting, token } = await fullKey();
      await q.service.fail({ jobId: running.id, leaseToken: token, error: 'broken', retryable: false });
      expect((await claim(q.service))?.id).toBe(waiting.id);
    });

    it('by lease expiry', async () => {
      const { waiting } = await fullKey();
      clock.advance(3_600);
      expect(await q.service.sweepExpired()).toBe(1);
      expect((await claim(q.service))?.id).toBe(waiting.id);
    });

    it('by an acknowledged cancel (and not before: a cancel request leaves the job running)', async () => {
      const { running, waiting, token } = await fullKey();
      await q.service.cancel({ jobId: running.id, reason: 'stop' });
      expect(await claim(q.service)).toBeNull();
      await q.service.ackCancel({ jobId: running.id, leaseToken: token });
      expect((await claim(q.service))?.id).toBe(waiting.id);
    });
  });

  it('lowering a limit stops no running job; the key starts none until it is below the limit', async () => {
    await q.service.limits.set({ key: 'k', max: 3 });
    for (let i = 0; i < 4; i++) await enqueue(q.service, 'k');
    const running = [await claim(q.service), await claim(q.service), await claim(q.service)];
    await q.service.limits.set({ key: 'k', max: 1 });
    expect(await claim(q.service)).toBeNull();
    await q.service.complete({ jobId: running[0]!.id, leaseToken: running[0]!.token });
    await q.service.complete({ jobId: running[1]!.id, leaseToken: running[1]!.token });
    // One still runs: at the limit of 1.
    expect(await claim(q.service)).toBeNull();
    await q.service.complete({ jobId: running[2]!.id, leaseToken: running[2]!.token });
    expect(await claim(q.service)).not.toBeNull();
  });

  it('sets, lists and removes limits', async () => {
    expect(await q.service.limits.list()).toEqual({ defaultMax: 1, keys: [] });
    const set = await q.service.limits.set({ key: 'repo:acme/api', max: 3, updatedBy: 'ops' });
    expect(set).toEqual({
      limit: {
        key: 'repo:acme/api',
        max: 3,
        isDefault: false,
        updatedBy: 'ops',
        updatedAt: clock.now().toISOString(),
      },
      previousMax: 1,
    });
    expect((await q.service.limits.set({ key: 'repo:acme/api', max: 5 })).previousMax).toBe(3);
    for (let i = 0; i < 3; i++) await enqueue(q.service, 'repo:acme/api');
    await enqueue(q.service, 'other', { priority: 1 });
    await enqueue(q.service, 'other', { priority: 1 });
    // By priority: the first of `other` (the second waits for its slot), then two of repo:acme/api.
    for (let i = 0; i < 3; i++) expect(await claim(q.service)).not.toBeNull();
    // A key whose jobs all finished is not listed.
    const { job: done } = await q.service.enqueue({ type: 'cleanup', concurrencyKey: 'finished' });
    const held = await q.service.claim({ workerId: 'w', types: ['cleanup'] });
    await q.service.complete({ jobId: done.id, leaseToken: held.lease!.token });
    const { keys } = await q.service.limits.list();
    expect(keys).toEqual([
      { key: 'other', max: 1, isDefault: true, updatedBy: null, updatedAt: null, running: 1, queued: 1 },
      expect.objectContaining({ key: 'repo:acme/api', max: 5, isDefault: false, running: 2, queued: 1 }),
    ]);

    const removed = await q.service.limits.remove({ key: 'repo:acme/api' });
    expect(removed).toMatchObject({ removed: true, previousMax: 5, limit: { max: 1, isDefault: true } });
    expect((await q.service.limits.remove({ key: 'repo:acme/api' })).removed).toBe(false);
    expect((await q.service.limits.list()).keys.find((k) => k.key === 'repo:acme/api')).toMatchObject({
      isDefault: true,
      max: 1,
    });
  });

  it('refuses limits outside 0..10000 and keys that are empty or too long', async () => {
    for (const max of [-1, 10_001, 1.5, 'many', null]) {
      await expectQueueError(q.service.limits.set({ key: 'k', max } as never), 'invalid_argument', /max/);
    }
    await expectQueueError(q.service.limits.set({ key: '', max: 1 }), 'invalid_argument', /key/);
    await expectQueueError(q.service.limits.set({ key: 'k'.repeat(201), max: 1 }), 'invalid_argument', /key/);
    await expectQueueError(q.service.limits.remove({ key: '' }), 'invalid_argument', /key/);
    expect((await q.service.limits.set({ key: 'k', max: '10000' as never })).limit.max).toBe(10_000);
    expect((await q.service.limits.set({ key: 'k', max: 0 })).limit.max).toBe(0);
  });
});

// Real time: these measure that a waiting claimer is woken, not that it re-checked on its own. Every
// change is made through the waiting service's own connection: on SQLite another connection's
// commit would wake it anyway (PRAGMA data_version), and hide a missing wake-up.
describe.each(backendsForSuite())('a claimer waiting on a full key ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  /**
   * Median ms from `free()` to the waiting claim's answer, which must be `expected`, over 5 rounds.
   * Each round uses a key of its own: the job the waiter took in a round keeps running.
   */
  async function wakeLatency(
    round: (key: string) => Promise<{ free: () => Promise<unknown>; expected: string }>,
  ) {
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { free, expected } = await round(`k${i}`);
      const waiting = q.service.claim({ workerId: 'waiter', waitSeconds: 10 });
      await untilWaiting(q.whenIdle(), waiting);
      const t0 = performance.now();
      await free();
      expect((await waiting).job?.id).toBe(expected);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((x, y) => x - y);
    return latencies[2]!;
  }

  it('is woken when a limit rises', async () => {
    const median = await wakeLatency(async (key) => {
      await enqueue(q.service, key);
      expect(await claim(q.service, 'holder')).not.toBeNull();
      const next = await enqueue(q.service, key);
      return { free: () => q.service.limits.set({ key, max: 2 }), expected: next.id };
    });
    // The once-a-second fallback would answer after ~1,000 ms every round.
    expect(median).toBeLessThan(500);
  });

  it('is woken when a limit of 0 is removed', async () => {
    const median = await wakeLatency(async (key) => {
      await q.service.limits.set({ key, max: 0 });
      const next = await enqueue(q.service, key);
      return { free: () => q.service.limits.remove({ key }), expected: next.id };
    });
    expect(median).toBeLessThan(500);
  });

  /** A running job of `key` (held by another worker) and the next job of the key, waiting for it. */
  async function fullKey(key: string) {
    const running = await enqueue(q.service, key);
    const next = await enqueue(q.service, key);
    const held = await claim(q.service, 'holder');
    expect(held?.id).toBe(running.id);
    return { running, next, token: held!.token };
  }

  it('is woken when the running job of the key completes', async () => {
    const median = await wakeLatency(async (key) => {
      const { running, next, token } = await fullKey(key);
      return { free: () => q.service.complete({ jobId: running.id, leaseToken: token }), expected: next.id };
    });
    expect(median).toBeLessThan(500);
  });

  // (A retryable fail requeues the job, and its job_ready wake-up would wake the waiter anyway.)
  it('is woken when the running job of the key fails for good', async () => {
    const median = await wakeLatency(async (key) => {
      const { running, next, token } = await fullKey(key);
      return {
        free: () => q.service.fail({ jobId: running.id, leaseToken: token, error: 'bad', retryable: false }),
        expected: next.id,
      };
    });
    expect(median).toBeLessThan(500);
  });
});
