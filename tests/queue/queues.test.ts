// Named queues (SPEC §16, docs/queues.md): a claimer of one queue never takes another's job; list,
// status and reads keep to a queue when given one; a queue has its own pause next to the fleet's,
// and the `system` block says which applies; holders follow their job's queue; a resume of a queue
// wakes the long-polls of that queue. Both backends, real time where something waits.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { track, untilWaiting } from '../helpers/waiting.js';
import { QueueError } from '../../src/core/errors.js';
import { claimMatch, readySignal } from '../../src/queue/wakeups.js';
import { newJobRecord } from '../../src/queue/transitions.js';
import { enqueueInput } from '../../src/queue/schemas.js';

const jobRecord = () => {
  const now = new Date();
  return newJobRecord(enqueueInput.parse({ type: 'build' }), { now, runAt: now, maxAttempts: 3 });
};

describe.each(backendsForSuite())('named queues ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  async function running(queue: string) {
    const { job } = await q.service.enqueue({ type: 'build', queue });
    const claimed = await q.service.claim({ workerId: `w-${queue}`, queue });
    expect(claimed.job?.id).toBe(job.id);
    return { jobId: job.id, leaseToken: claimed.lease!.token };
  }

  describe('claims', () => {
    it("a worker of one queue never gets another queue's job; no queue is `default`", async () => {
      const a = await q.service.enqueue({ type: 'build', queue: 'acme', priority: 5 });
      const b = await q.service.enqueue({ type: 'build', queue: 'globex', priority: 9 });
      const d = await q.service.enqueue({ type: 'build' });
      expect(d.job.queue).toBe('default');

      // globex's job has the highest priority, yet only its own queue's claimer takes it.
      const fromAcme = await q.service.claim({ workerId: 'wa', queue: 'acme' });
      expect(fromAcme.job?.id).toBe(a.job.id);
      expect((await q.service.claim({ workerId: 'wa', queue: 'acme' })).job).toBeNull();
      const fromDefault = await q.service.claim({ workerId: 'wd' });
      expect(fromDefault.job?.id).toBe(d.job.id);
      expect((await q.service.claim({ workerId: 'wd' })).job).toBeNull();
      expect((await q.service.claim({ workerId: 'wb', queue: 'globex' })).job?.id).toBe(b.job.id);
    });

    it('a dedupeKey held in another queue is refused, not answered with that queue’s job', async () => {
      const { job } = await q.service.enqueue({ type: 'build', queue: 'acme', dedupeKey: 'k' });
      const again = await q.service.enqueue({ type: 'build', queue: 'acme', dedupeKey: 'k' });
      expect(again).toMatchObject({ deduplicated: true, job: { id: job.id } });
      const err = await q.service.enqueue({ type: 'build', queue: 'globex', dedupeKey: 'k' }).catch((e) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect(err).toMatchObject({ code: 'job_state_conflict' });
      expect((err as QueueError).message).not.toContain(job.id);
    });
  });

  describe('reads', () => {
    it('list and status count one queue when given one, every queue when not', async () => {
      await running('globex');
      await q.service.enqueue({ type: 'build', queue: 'acme' });
      await q.service.enqueue({ type: 'build', queue: 'acme' });
      await q.service.enqueue({ type: 'build', queue: 'globex' });

      const acme = await q.service.list({ queue: 'acme' });
      expect(acme.jobs.map((j) => j.queue)).toEqual(['acme', 'acme']);
      expect((await q.service.list({ queue: 'globex' })).jobs).toHaveLength(2);
      expect((await q.service.list({ queue: 'nobody' })).jobs).toHaveLength(0);
      expect((await q.service.list()).jobs).toHaveLength(4);

      const s = await q.service.control.status({ queue: 'acme' });
      expect(s.metrics).toMatchObject({ queued: 2, running: 0, isDrained: true });
      expect((await q.service.control.status({ queue: 'globex' })).metrics).toMatchObject({
        queued: 1,
        running: 1,
        isDrained: false,
      });
      expect((await q.service.control.status()).metrics).toMatchObject({ queued: 3, running: 1 });
    });

    it('get, cancel, wait, events and retry with a queue: a job of another queue is not_found', async () => {
      const { job } = await q.service.enqueue({ type: 'build', queue: 'acme' });
      const calls = [
        () => q.service.get({ jobId: job.id, queue: 'globex' }),
        () => q.service.cancel({ jobId: job.id, queue: 'globex' }),
        () => q.service.wait({ jobId: job.id, queue: 'globex', waitSeconds: 0 }),
        () => q.service.events({ jobId: job.id, queue: 'globex' }),
        () => q.service.retry({ jobId: job.id, queue: 'globex' }),
      ];
      for (const call of calls) await expect(call()).rejects.toMatchObject({ code: 'not_found' });
      expect((await q.service.get({ jobId: job.id })).job.status).toBe('queued');
      expect((await q.service.get({ jobId: job.id, queue: 'acme' })).job.id).toBe(job.id);
      expect((await q.service.cancel({ jobId: job.id, queue: 'acme' })).job.status).toBe('cancelled');
    });
  });

  describe('per-queue pause', () => {
    it("stops claims of that queue only; the system block says the queue's pause applies", async () => {
      await q.service.enqueue({ type: 'build', queue: 'acme' });
      const other = await q.service.enqueue({ type: 'build', queue: 'globex' });
      const paused = await q.service.control.pause({ queue: 'acme', mode: 'drain', reason: 'acme deploy' });
      expect(paused.system).toMatchObject({ workersPaused: true, scope: 'queue', queue: 'acme', version: 1 });

      const refused = await q.service.claim({ workerId: 'wa', queue: 'acme' });
      expect(refused.job).toBeNull();
      expect(refused.system).toMatchObject({
        workersPaused: true,
        scope: 'queue',
        queue: 'acme',
        mode: 'drain',
        reason: 'acme deploy',
      });
      const taken = await q.service.claim({ workerId: 'wb', queue: 'globex' });
      expect(taken.job?.id).toBe(other.job.id);
      expect(taken.system).toMatchObject({ workersPaused: false, scope: 'fleet' });
      expect(taken.system).not.toHaveProperty('queue');

      const status = await q.service.control.status({ queue: 'acme' });
      expect(status.system).toMatchObject({ scope: 'queue', queue: 'acme', workersPaused: true });
      expect(status.pauses?.fleet).toMatchObject({ scope: 'fleet', workersPaused: false });
      expect(status.pauses?.queue).toMatchObject({ scope: 'queue', queue: 'acme', workersPaused: true });
      expect((await q.service.control.status({ queue: 'globex' })).pauses?.queue).toBeNull();
      expect(status.audit[0]).toMatchObject({ action: 'pause', queue: 'acme', reason: 'acme deploy' });
      // The fleet's own status is not paused by a queue's pause.
      expect((await q.service.control.status()).system).toMatchObject({
        workersPaused: false,
        scope: 'fleet',
      });

      const resumed = await q.service.control.resume({ queue: 'acme', reason: 'done' });
      expect(resumed.system).toMatchObject({
        workersPaused: false,
        scope: 'queue',
        queue: 'acme',
        version: 2,
      });
      expect((await q.service.claim({ workerId: 'wa', queue: 'acme' })).job).not.toBeNull();
    });

    it('the fleet pause applies to every queue and wins in the block; version grows with either', async () => {
      await q.service.control.pause({ queue: 'acme', mode: 'quiesce', reason: 'acme' });
      await q.service.control.pause({ mode: 'drain', reason: 'fleet' });
      const acme = await q.service.claim({ workerId: 'w', queue: 'acme' });
      expect(acme.system).toMatchObject({ workersPaused: true, scope: 'fleet', reason: 'fleet', version: 2 });
      const other = await q.service.claim({ workerId: 'w', queue: 'globex' });
      expect(other.system).toMatchObject({ workersPaused: true, scope: 'fleet', version: 1 });

      await q.service.control.resume({ reason: 'fleet back' });
      const after = await q.service.claim({ workerId: 'w', queue: 'acme' });
      expect(after.system).toMatchObject({ workersPaused: true, scope: 'queue', reason: 'acme', version: 3 });
    });

    it('a drain of a queue is drained when that queue runs nothing, whatever other queues run', async () => {
      await running('globex');
      const answer = await q.service.control.pause({ queue: 'acme', mode: 'drain', reason: 'r' });
      expect(answer.metrics).toMatchObject({ running: 0, isDrained: true });
      await q.service.control.resume({ queue: 'acme', reason: 'r' });
      await expect(q.service.control.resume({ queue: 'acme', reason: 'again' })).rejects.toMatchObject({
        code: 'job_state_conflict',
      });
      await expect(q.service.control.resume({ reason: 'fleet' })).rejects.toMatchObject({
        code: 'job_state_conflict',
      });
    });

    it("heartbeat answers pause under a quiesce of the job's own queue only", async () => {
      const inAcme = await running('acme');
      const inGlobex = await running('globex');
      await q.service.control.pause({ queue: 'acme', mode: 'quiesce', reason: 'hold acme' });

      const held = await q.service.heartbeat(inAcme);
      expect(held.action).toBe('pause');
      expect(held.system).toMatchObject({ scope: 'queue', queue: 'acme', mode: 'quiesce' });
      const free = await q.service.heartbeat(inGlobex);
      expect(free.action).toBe('continue');
      expect(free.system).toMatchObject({ workersPaused: false, scope: 'fleet' });

      // A fleet drain on top: the block shows the fleet's, but acme's quiesce still holds its job.
      await q.service.control.pause({ mode: 'drain', reason: 'fleet drain' });
      const both = await q.service.heartbeat(inAcme);
      expect(both.system).toMatchObject({ scope: 'fleet', mode: 'drain' });
      expect(both.action).toBe('pause');
      expect((await q.service.heartbeat(inGlobex)).action).toBe('continue');
    });

    it('a lease expiring in a paused queue waits for its resume', async () => {
      const job = await running('acme');
      const store = q.store;
      await store.jobUpdate({
        id: job.jobId,
        expect: { status: 'running' },
        set: { leaseExpiresAt: new Date(Date.now() - 60_000) },
        now: new Date(),
      });
      await q.service.control.pause({ queue: 'acme', mode: 'drain', reason: 'r' });
      expect(await q.service.sweepExpired()).toBe(0);
      await q.service.control.resume({ queue: 'acme', reason: 'r', force: true });
      expect(await q.service.sweepExpired()).toBe(1);
    });
  });

  describe('wake-ups', () => {
    it("a resume of a queue wakes that queue's long-poll, which claims within the same call", async () => {
      const operator = q.connect();
      await operator.control.pause({ queue: 'acme', mode: 'drain', reason: 'deploy' });
      const { job } = await operator.enqueue({ type: 'build', queue: 'acme' });
      const claim = track(q.service.claim({ workerId: 'w', queue: 'acme', waitSeconds: 20 }));
      await untilWaiting(q.whenIdle(), claim.answer);
      expect(claim.settled).toBe(false);
      await operator.control.resume({ queue: 'acme', reason: 'deployed' });
      const answer = await claim.answer;
      expect(answer).toMatchObject({ action: 'work', job: { id: job.id, queue: 'acme' } });
      expect(claim.elapsedMs).toBeLessThan(10_000);
    });

    it("a long-poll never takes another queue's job, and takes its own queue's", async () => {
      const claim = track(q.service.claim({ workerId: 'w', queue: 'acme', waitSeconds: 20 }));
      await untilWaiting(q.whenIdle(), claim.answer);
      await q.service.enqueue({ type: 'build', queue: 'globex' });
      await untilWaiting(q.whenIdle(), claim.answer);
      expect(claim.settled).toBe(false);
      const { job } = await q.service.enqueue({ type: 'build', queue: 'acme' });
      expect((await claim.answer).job?.id).toBe(job.id);
    });

    it("wakes a claimer for its own queue's jobs and pauses, and for the fleet's, not for another queue's", () => {
      const match = claimMatch('acme', undefined, []);
      expect(match({ kind: 'job_ready', type: 'build', queue: 'acme' })).toBe(true);
      expect(match({ kind: 'job_ready', type: 'build', queue: 'globex' })).toBe(false);
      expect(match({ kind: 'pause_changed', version: 3, queue: 'acme' })).toBe(true);
      expect(match({ kind: 'pause_changed', version: 3, queue: 'globex' })).toBe(false);
      expect(match({ kind: 'pause_changed', version: 3 })).toBe(true);
      // A job made ready by a transition (a retry, a requeue) carries its queue too.
      expect(readySignal({ ...jobRecord(), queue: 'globex' })).toMatchObject({ queue: 'globex' });
    });
  });
});
