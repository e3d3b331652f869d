// Worker pause (SPEC §8) on both backends: drain and quiesce, a paused claim that touches nothing
// (not even an expired lease), no-op repeats, the audit trail, status metrics and resume rules.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import { QueueError } from '../../src/core/errors.js';

describe.each(backendsForSuite())('worker pause ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  describe('drain', () => {
    it('answers claims with wait, changes no row, and lets running jobs continue', async () => {
      const running = await startJob(q.service, { type: 'a' });
      await q.service.enqueue({ type: 'a', payload: {} });
      await q.service.control.pause({ mode: 'drain', reason: 'upgrade', requestedBy: 'ops' });
      clock.advance(1);
      const before = await snapshotTables(q.db);
      expect(before.agent_jobs.map((r) => r.status).sort()).toEqual(['queued', 'running']);
      const claimer = q.connect();
      // A long-poll sleeps through the pause and, still paused at its deadline, answers the same
      // (its waking on resume: paused-wait.test.ts).
      for (const waitSeconds of [0, 1]) {
        const answer = await claimer.claim({ workerId: 'w2', waitSeconds });
        expect(answer).toMatchObject({ job: null, lease: null, action: 'wait' });
        expect(answer.system).toMatchObject({ workersPaused: true, mode: 'drain', reason: 'upgrade' });
        expect(answer.retryAfterSeconds).toBeGreaterThan(0);
      }
      expect(await snapshotTables(q.db)).toEqual(before);

      const hb = await q.service.heartbeat({ jobId: running.job.id, leaseToken: running.token });
      expect(hb.action).toBe('continue');
      expect(hb.system).toMatchObject({ workersPaused: true, mode: 'drain' });
      const { job } = await q.service.complete({ jobId: running.job.id, leaseToken: running.token });
      expect(job.status).toBe('succeeded');
    });

    it('does not process an expired lease while paused, in claim or sweep; after resume the sweep does', async () => {
      const { job } = await startJob(q.service, { leaseSeconds: 30 });
      await q.service.enqueue({ type: 'test.job', payload: {} });
      await q.service.control.pause({ mode: 'drain', reason: 'maintenance' });
      clock.advance(120); // far past the lease
      const before = await snapshotTables(q.db);
      expect(before.agent_job_events).toHaveLength(3);
      const other = q.connect();
      for (const svc of [q.service, other]) {
        expect((await svc.claim({ workerId: 'w' })).action).toBe('wait');
        expect(await svc.sweepExpired()).toBe(0);
      }
      expect(await snapshotTables(q.db)).toEqual(before);
      expect((await q.service.control.status()).metrics).toMatchObject({
        running: 1,
        staleRunning: 1,
        isDrained: false,
      });

      await q.service.control.resume({ reason: 'done', force: true });
      expect(await other.sweepExpired()).toBe(1);
      const { job: after } = await q.service.get({ jobId: job.id });
      expect(after).toMatchObject({ status: 'queued', attempt: 1, leaseExpiresAt: null });
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed', 'lease_expired']);
    });
  });

  describe('quiesce', () => {
    it('tells running jobs to pause, then continue after resume with a higher version', async () => {
      const { job, token } = await startJob(q.service);
      const { system: paused } = await q.service.control.pause({ mode: 'quiesce', reason: 'db failover' });
      const hb1 = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
      expect(hb1.action).toBe('pause');
      expect(hb1.system).toEqual(paused);
      // Leases must not expire while quiesced: pausing heartbeats keep extending it.
      clock.advance(300);
      const hb2 = await q.service.heartbeat({ jobId: job.id, leaseToken: token, leaseSeconds: 600 });
      expect(hb2.action).toBe('pause');
      expect(hb2.lease.expiresAt).toBe(new Date(clock.now().getTime() + 600_000).toISOString());
      expect((await q.service.claim({ workerId: 'w2' })).action).toBe('wait');

      await q.connect().control.resume({ reason: 'failover done', force: true });
      const hb3 = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
      expect(hb3.action).toBe('continue');
      expect(hb3.system.workersPaused).toBe(false);
      expect(hb3.system.version).toBeGreaterThan(paused.version);
    });
  });

  describe('pause state changes', () => {
    it('treats the same mode and reason as a no-op; another mode or reason is a new version with an audit row', async () => {
      const initial = (await q.service.control.status()).system;
      expect(initial).toMatchObject({ workersPaused: false, mode: null });
      const a = await q.service.control.pause({ mode: 'drain', reason: 'r1', requestedBy: 'ops-1' });
      expect(a.changed).toBe(true);
      expect(a.system.version).toBe(initial.version + 1);
      clock.advance(5);
      const again = await q.service.control.pause({ mode: 'drain', reason: 'r1', requestedBy: 'ops-2' });
      expect(again.changed).toBe(false);
      expect(again.system).toEqual(a.system);
      expect((await q.service.control.status()).audit).toHaveLength(1);

      const b = await q.service.control.pause({ mode: 'drain', reason: 'r2', requestedBy: 'ops-2' });
      expect(b).toMatchObject({
        changed: true,
        system: { version: a.system.version + 1, reason: 'r2', requestedBy: 'ops-2' },
      });
      clock.advance(5);
      const c = await q.connect().control.pause({ mode: 'quiesce', reason: 'r2' });
      expect(c).toMatchObject({ changed: true, system: { version: b.system.version + 1, mode: 'quiesce' } });
      expect(c.system.updatedAt).toBe(clock.now().toISOString());

      const { audit, system } = await q.service.control.status();
      expect(system).toEqual(c.system);
      expect(audit.map(({ action, mode, reason, actor }) => ({ action, mode, reason, actor }))).toEqual([
        { action: 'pause', mode: 'quiesce', reason: 'r2', actor: null },
        { action: 'pause', mode: 'drain', reason: 'r2', actor: 'ops-2' },
        { action: 'pause', mode: 'drain', reason: 'r1', actor: 'ops-1' },
      ]);
      expect(audit[0]!.at).toBe(clock.now().toISOString());
      expect((await q.service.control.status({ audit: 2 })).audit).toHaveLength(2);
    });

    it('reports exact metrics: queued (due), delayed, running, stale running, drained', async () => {
      const t = 'm';
      const stale = await startJob(q.service, { type: t, leaseSeconds: 30 });
      const fresh = await startJob(q.service, { type: t, leaseSeconds: 600 });
      const done = await startJob(q.service, { type: t });
      await q.service.complete({ jobId: done.job.id, leaseToken: done.token });
      const { job: gone } = await q.service.enqueue({ type: t, payload: {} });
      await q.service.cancel({ jobId: gone.id });
      await q.service.enqueue({ type: t, payload: {} }); // due now
      await q.service.enqueue({ type: t, payload: {}, delaySeconds: 10 }); // due after the advance below
      await q.service.enqueue({ type: t, payload: {}, delaySeconds: 3600 }); // still delayed
      await q.service.enqueue({
        type: t,
        payload: {},
        runAt: new Date(clock.now().getTime() + 7200_000).toISOString(),
      });
      await q.service.control.pause({ mode: 'drain', reason: 'count' });
      clock.advance(31);

      const status = await q.service.control.status();
      expect(status.metrics).toEqual({
        queued: 2,
        delayed: 2,
        blocked: 0,
        running: 2,
        staleRunning: 1,
        isDrained: false,
      });
      expect((await q.service.control.pause({ mode: 'drain', reason: 'count' })).metrics).toEqual(
        status.metrics,
      );

      await q.service.complete({ jobId: fresh.job.id, leaseToken: fresh.token });
      await q.service.fail({ jobId: stale.job.id, leaseToken: stale.token, error: 'x', retryable: false });
      expect((await q.service.control.status()).metrics).toEqual({
        queued: 2,
        delayed: 2,
        blocked: 0,
        running: 0,
        staleRunning: 0,
        isDrained: true,
      });
    });
  });

  describe('resume', () => {
    it('refuses when workers are not paused (job_state_conflict) and writes nothing', async () => {
      const before = await snapshotTables(q.db);
      const err = await q.service.control.resume({ reason: 'nothing' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueueError);
      expect(err).toMatchObject({ code: 'job_state_conflict' });
      expect((err as Error).message).toMatch(/not paused/);
      expect(await snapshotTables(q.db)).toEqual(before);
    });

    it('refuses while a job runs unless forced, and explains why', async () => {
      const { job, token } = await startJob(q.service);
      const { system: paused } = await q.service.control.pause({ mode: 'drain', reason: 'upgrade' });
      const err = await q.service.control.resume({ reason: 'too early' }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'job_state_conflict',
        details: { metrics: { running: 1, isDrained: false } },
      });
      expect((err as Error).message).toMatch(/1 job\(s\) are still running/);
      expect((err as Error).message).toMatch(/force: true/);
      expect((await q.service.control.status()).system).toEqual(paused);

      clock.advance(3);
      const forced = await q.service.control.resume({ reason: 'hotfix', force: true, requestedBy: 'ops' });
      expect(forced).toMatchObject({
        changed: true,
        system: { workersPaused: false, mode: null, reason: null },
      });
      expect(forced.system.version).toBe(paused.version + 1);
      const { audit } = await q.service.control.status();
      expect(audit[0]).toMatchObject({ action: 'resume', mode: 'drain', reason: 'hotfix', actor: 'ops' });
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).action).toBe('continue');
      expect((await q.service.claim({ workerId: 'w' })).system.workersPaused).toBe(false);
    });

    it('resumes without force once drained, and claims work again', async () => {
      const { job, token } = await startJob(q.service);
      await q.service.control.pause({ mode: 'quiesce', reason: 'upgrade' });
      await q.service.complete({ jobId: job.id, leaseToken: token });
      const { job: next } = await q.service.enqueue({ type: 'test.job', payload: {} });
      expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
      const resumed = await q.service.control.resume({ reason: 'upgraded' });
      expect(resumed.metrics.isDrained).toBe(true);
      const answer = await q.service.claim({ workerId: 'w' });
      expect(answer).toMatchObject({ action: 'work', job: { id: next.id } });
    });

    it('resumes from quiesce without force while held jobs still run: they are meant to continue', async () => {
      const { job, token } = await startJob(q.service);
      const paused = await q.service.control.pause({ mode: 'quiesce', reason: 'failover' });
      // The answer says what is true for quiesce: the held job stays running, the fleet never drains.
      expect(paused.next).toMatch(/1 running job\(s\) stop at their next checkpoint and keep heartbeating/);
      expect(paused.next).toMatch(/does not drain while quiesced. Resume \(no force needed\)/);
      expect(paused.next).not.toMatch(/isDrained/);
      clock.advance(40);
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).action).toBe('pause');
      const resumed = await q.service.control.resume({ reason: 'failover done' });
      expect(resumed).toMatchObject({
        changed: true,
        system: { workersPaused: false },
        metrics: { running: 1, isDrained: false },
      });
      expect((await q.service.control.status()).audit[0]).toMatchObject({
        action: 'resume',
        mode: 'quiesce',
      });
      expect((await q.service.heartbeat({ jobId: job.id, leaseToken: token })).action).toBe('continue');
    });

    it('still refuses a drain resume while a job runs after switching from quiesce to drain', async () => {
      await startJob(q.service);
      await q.service.control.pause({ mode: 'quiesce', reason: 'x' });
      const drain = await q.service.control.pause({ mode: 'drain', reason: 'x' });
      expect(drain.next).toMatch(/finish normally; the fleet is drained when metrics.isDrained is true/);
      const err = await q.service.control.resume({ reason: 'early' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'job_state_conflict', hint: 'force_resume' });
    });
  });
});
