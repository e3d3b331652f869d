// Agents can sleep through a pause (SPEC §8, issue 13): a claim with waitSeconds waits out a paused
// fleet and claims within the same call once it is resumed; a heartbeat with waitSeconds holds a
// `pause` answer until the action changes. Real time on both backends; every change is made from
// another connection once the call is blocked waiting (whenIdle), never after a guessed sleep.
// Bounds are generous: they tell "woken" from "waited the whole time", not latencies.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import type { SystemBlock } from '../../src/core/types.js';
import { track, untilWaiting } from '../helpers/waiting.js';

describe.each(backendsForSuite())('sleeping through a pause ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  async function runningJob(leaseSeconds = 60) {
    await q.service.enqueue({ type: 'build' });
    const claimed = await q.service.claim({ workerId: 'w', leaseSeconds });
    return { jobId: claimed.job!.id, leaseToken: claimed.lease!.token };
  }

  describe('claim with waitSeconds while paused', () => {
    it('waits, and takes the job within the same call once resumed', async () => {
      const operator = q.connect();
      await operator.control.pause({ mode: 'drain', reason: 'deploy' });
      const { job } = await operator.enqueue({ type: 'build' });
      const claim = track(q.service.claim({ workerId: 'w', waitSeconds: 20 }));
      await untilWaiting(q.whenIdle(), claim.answer);
      // A paused fleet used to answer `wait` at once; now the call sleeps and the job stays queued.
      expect(claim.settled).toBe(false);
      expect((await operator.get({ jobId: job.id })).job.status).toBe('queued');
      await operator.control.resume({ reason: 'deployed' });
      const answer = await claim.answer;
      expect(answer).toMatchObject({ action: 'work', job: { id: job.id, claimedBy: 'w' } });
      expect(answer.system.workersPaused).toBe(false);
      expect(claim.elapsedMs).toBeLessThan(10_000);
    });

    it('is woken by the resume itself, not by the once-a-second fallback re-check', async () => {
      // As the enqueue wake-up test in long-poll.test.ts: a claimer that only re-checked every
      // second would answer about a second after each resume; a woken one answers in milliseconds.
      // The median of five rounds under 900 ms tells the two apart, with room for a loaded CI machine.
      const operator = q.connect();
      const latencies: number[] = [];
      for (let round = 0; round < 5; round++) {
        await operator.control.pause({ mode: 'drain', reason: `round ${round}` });
        const { job } = await operator.enqueue({ type: 'build', payload: { round } });
        const claim = q.service.claim({ workerId: 'w', waitSeconds: 20 });
        await untilWaiting(q.whenIdle(), claim);
        const t0 = performance.now();
        // force: the jobs of earlier rounds are still running.
        await operator.control.resume({ reason: 'go', force: true });
        expect((await claim).job?.id).toBe(job.id);
        latencies.push(performance.now() - t0);
      }
      latencies.sort((x, y) => x - y);
      expect(latencies[2]).toBeLessThan(900);
    });

    it('is not ended by a pause during the wait; resume and then an enqueue give it the job', async () => {
      const operator = q.connect();
      const seen: SystemBlock[] = [];
      const claim = track(
        q.service.claim({ workerId: 'w', waitSeconds: 20 }, { onSystem: (s) => seen.push(s) }),
      );
      await untilWaiting(q.whenIdle(), claim.answer);
      await operator.control.pause({ mode: 'drain', reason: 'deploy' });
      // The pause is reported while the call keeps waiting (a worker logs it as it happens).
      await expect.poll(() => seen.map((s) => s.workersPaused), { timeout: 5_000 }).toEqual([false, true]);
      await untilWaiting(q.whenIdle(), claim.answer);
      expect(claim.settled).toBe(false);
      await operator.control.resume({ reason: 'deployed' });
      await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(3);
      await untilWaiting(q.whenIdle(), claim.answer);
      const { job } = await operator.enqueue({ type: 'build' });
      expect(await claim.answer).toMatchObject({ action: 'work', job: { id: job.id } });
      expect(claim.elapsedMs).toBeLessThan(15_000);
    });

    it('answers wait at its deadline as before: system block and the paused retryAfterSeconds', async () => {
      const operator = q.connect();
      await operator.control.pause({ mode: 'quiesce', reason: 'failover' });
      await operator.enqueue({ type: 'build' });
      const claim = track(q.service.claim({ workerId: 'w', waitSeconds: 1.5 }));
      expect(await claim.answer).toEqual({
        job: null,
        lease: null,
        action: 'wait',
        retryAfterSeconds: q.service.settings.pausedRetryAfterSeconds,
        system: expect.objectContaining({ workersPaused: true, mode: 'quiesce', reason: 'failover' }),
      });
      expect(claim.elapsedMs).toBeGreaterThanOrEqual(1_400);
      expect((await operator.control.status()).metrics).toMatchObject({ queued: 1, running: 0 });
    });
  });

  describe('heartbeat with waitSeconds', () => {
    it('under quiesce holds, and answers continue once resumed, with the lease extended', async () => {
      const lease = await runningJob();
      const operator = q.connect();
      await operator.control.pause({ mode: 'quiesce', reason: 'failover' });
      const beat = track(q.service.heartbeat({ ...lease, message: 'paused at step 2', waitSeconds: 20 }));
      await untilWaiting(q.whenIdle(), beat.answer);
      expect(beat.settled).toBe(false);
      const resumedAt = Date.now();
      await operator.control.resume({ reason: 'done', force: true });
      const answer = await beat.answer;
      expect(answer).toMatchObject({ action: 'continue', system: { workersPaused: false } });
      expect(beat.elapsedMs).toBeLessThan(10_000);
      // The answer comes from a beat made after the resume: the lease runs a full term from then.
      expect(Date.parse(answer.lease.expiresAt)).toBeGreaterThanOrEqual(resumedAt + 55_000);
      expect(answer.job.progressMessage).toBe('paused at step 2');
    });

    it('under quiesce answers cancel as soon as the job is cancelled', async () => {
      const lease = await runningJob();
      const operator = q.connect();
      await operator.control.pause({ mode: 'quiesce', reason: 'failover' });
      const beat = track(q.service.heartbeat({ ...lease, waitSeconds: 20 }));
      await untilWaiting(q.whenIdle(), beat.answer);
      await operator.cancel({ jobId: lease.jobId, reason: 'not needed' });
      expect(await beat.answer).toMatchObject({ action: 'cancel', system: { workersPaused: true } });
      expect(beat.elapsedMs).toBeLessThan(10_000);
    });

    it('answers pause at its deadline, and renews a short lease while it holds', async () => {
      // A 2 s lease under a 3.5 s hold: the call beats again whenever half the lease is gone. Expiry
      // is not processed while paused, so a lapse would not show as lease_lost: the lease's expiry
      // is read from another connection during the hold instead, and must keep moving forward.
      const lease = await runningJob(2);
      await q.connect().control.pause({ mode: 'quiesce', reason: 'failover' });
      const beat = track(q.service.heartbeat({ ...lease, waitSeconds: 3.5 }));
      const reader = q.db.open();
      const reads: { readAt: number; expires: number }[] = [];
      try {
        while (!beat.settled) {
          const readAt = Date.now();
          const expires = (await reader.jobGet({ id: lease.jobId }))!.leaseExpiresAt!.getTime();
          reads.push({ readAt, expires });
          await sleep(100);
        }
      } finally {
        await reader.close();
      }
      const answer = await beat.answer;
      for (const r of reads) expect(r.expires, 'the lease lapsed during the hold').toBeGreaterThan(r.readAt);
      const seen = [...new Set(reads.map((r) => r.expires))];
      // The expiry set by the first beat, then at least two renewals made while holding.
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect([...seen].sort((x, y) => x - y)).toEqual(seen);
      expect(answer.action).toBe('pause');
      expect(beat.elapsedMs).toBeGreaterThanOrEqual(3_400);
      expect(Date.parse(answer.lease.expiresAt)).toBeGreaterThanOrEqual(seen.at(-1)!);
    });

    it('answers at once when the action is not pause, or without waitSeconds', async () => {
      const lease = await runningJob();
      const free = track(q.service.heartbeat({ ...lease, waitSeconds: 20 }));
      expect((await free.answer).action).toBe('continue');
      expect(free.elapsedMs).toBeLessThan(2_000);
      await q.connect().control.pause({ mode: 'quiesce', reason: 'failover' });
      const plain = track(q.service.heartbeat(lease));
      expect((await plain.answer).action).toBe('pause');
      expect(plain.elapsedMs).toBeLessThan(2_000);
    });

    it('ends the hold when its AbortSignal fires, answering pause', async () => {
      const lease = await runningJob();
      await q.connect().control.pause({ mode: 'quiesce', reason: 'failover' });
      const ac = new AbortController();
      const beat = track(q.service.heartbeat({ ...lease, waitSeconds: 20 }, { signal: ac.signal }));
      await untilWaiting(q.whenIdle(), beat.answer);
      ac.abort();
      expect((await beat.answer).action).toBe('pause');
      expect(beat.elapsedMs).toBeLessThan(5_000);
    });

    it('reads waitSeconds sent as a string; refuses one above 50 with invalid_argument', async () => {
      const lease = await runningJob();
      const beat = await q.service.heartbeat({ ...lease, waitSeconds: '5' as unknown as number });
      expect(beat.action).toBe('continue');
      await expect(q.service.heartbeat({ ...lease, waitSeconds: 51 })).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    });
  });
});
