// The `system` block and the one-word `action` (SPEC §9) on every claim and heartbeat answer.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { startJob } from '../helpers/jobs.js';
import { QueueError } from '../../src/core/errors.js';
import type { SystemBlock } from '../../src/core/types.js';

// A fleet block (no named queue paused) has no `queue` key; a queue's block adds it (tests/queue/queues.test.ts).
const SYSTEM_KEYS = [
  'mode',
  'reason',
  'requestedAt',
  'requestedBy',
  'scope',
  'updatedAt',
  'version',
  'workersPaused',
];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectSystemShape(s: SystemBlock): void {
  expect(Object.keys(s).sort()).toEqual(SYSTEM_KEYS);
  expect(typeof s.workersPaused).toBe('boolean');
  expect(Number.isInteger(s.version)).toBe(true);
  expect(s.updatedAt).toMatch(ISO);
}

describe.each(backendsForSuite())('system block and action ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  it('claim answers carry the full block: work with a job, wait without one', async () => {
    const empty = await q.service.claim({ workerId: 'w' });
    expectSystemShape(empty.system);
    expect(empty).toMatchObject({
      job: null,
      lease: null,
      action: 'wait',
      system: { workersPaused: false, mode: null, reason: null, requestedBy: null, requestedAt: null },
    });
    expect(empty.retryAfterSeconds).toBeGreaterThan(0);

    const { job } = await q.service.enqueue({ type: 'x', payload: {} });
    const got = await q.service.claim({ workerId: 'w', leaseSeconds: 60 });
    expectSystemShape(got.system);
    expect(got).toMatchObject({
      action: 'work',
      job: { id: job.id, status: 'running' },
      system: empty.system,
    });
    expect(got.lease).toMatchObject({
      seconds: 60,
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect(got.lease!.token.length).toBeGreaterThan(10);
    expect(got).not.toHaveProperty('retryAfterSeconds');
    expect(got.job).not.toHaveProperty('leaseToken');
  });

  it('reports who paused, when, why and the version, identically on claim, heartbeat and status', async () => {
    const { job, token } = await startJob(q.service);
    clock.advance(7);
    const at = clock.now().toISOString();
    await q.connect().control.pause({ mode: 'quiesce', reason: 'deploy 1.2', requestedBy: 'ops@example' });
    const expected: SystemBlock = {
      workersPaused: true,
      scope: 'fleet',
      mode: 'quiesce',
      reason: 'deploy 1.2',
      version: 1,
      requestedBy: 'ops@example',
      requestedAt: at,
      updatedAt: at,
    };
    clock.advance(1);
    const claim = await q.service.claim({ workerId: 'w2' });
    const hb = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    const status = await q.service.control.status();
    for (const s of [claim.system, hb.system, status.system]) {
      expectSystemShape(s);
      expect(s).toEqual(expected);
    }
    expect(claim.action).toBe('wait');
    expect(hb.action).toBe('pause');

    clock.advance(1);
    await q.service.control.resume({ reason: 'deployed', force: true, requestedBy: 'ops2' });
    const after = await q.service.heartbeat({ jobId: job.id, leaseToken: token });
    expect(after.action).toBe('continue');
    expect(after.system).toEqual({
      workersPaused: false,
      scope: 'fleet',
      mode: null,
      reason: null,
      version: 2,
      requestedBy: 'ops2',
      requestedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
  });

  it('heartbeat actions: continue normally and in drain, pause in quiesce, cancel wins over pause', async () => {
    const { job, token } = await startJob(q.service);
    const beat = () => q.service.heartbeat({ jobId: job.id, leaseToken: token });
    expect((await beat()).action).toBe('continue');
    await q.service.control.pause({ mode: 'drain', reason: 'r' });
    expect((await beat()).action).toBe('continue');
    await q.service.control.pause({ mode: 'quiesce', reason: 'r' });
    expect((await beat()).action).toBe('pause');
    await q.service.cancel({ jobId: job.id, reason: 'obsolete' });
    const hb = await beat();
    expect(hb).toMatchObject({
      action: 'cancel',
      job: { cancelReason: 'obsolete' },
      system: { mode: 'quiesce' },
    });
    expectSystemShape(hb.system);
  });

  describe('lease_lost on heartbeat', () => {
    const lost = async (p: Promise<unknown>, status: string) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(QueueError);
      expect(err).toMatchObject({ code: 'lease_lost', details: { action: 'lease_lost', status } });
      expect((err as Error).message).toMatch(/no longer yours/);
    };

    it("but not for a token the job never issued: the job may still be the caller's", async () => {
      const { job } = await startJob(q.service);
      const err = await q.service
        .heartbeat({ jobId: job.id, leaseToken: 'forged-token' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'invalid_argument', details: { status: 'running' } });
      expect((err as QueueError).details).not.toHaveProperty('action');
    });

    it('for the old holder after the job was reclaimed, while the new holder continues', async () => {
      const first = await startJob(q.service, { leaseSeconds: 10 });
      clock.advance(11);
      await q.service.sweepExpired();
      clock.advance(3600);
      const second = await q.service.claim({ workerId: 'worker-2' });
      expect(second.job?.id).toBe(first.job.id);
      await lost(q.service.heartbeat({ jobId: first.job.id, leaseToken: first.token }), 'running');
      const ok = await q.service.heartbeat({ jobId: first.job.id, leaseToken: second.lease!.token });
      expect(ok.action).toBe('continue');
      expect(ok.job.claimedBy).toBe('worker-2');
    });

    it('for a finished job, and for an expired-then-requeued one', async () => {
      const done = await startJob(q.service);
      await q.service.complete({ jobId: done.job.id, leaseToken: done.token });
      await lost(q.service.heartbeat({ jobId: done.job.id, leaseToken: done.token }), 'succeeded');

      const expired = await startJob(q.service, { leaseSeconds: 5 });
      clock.advance(6);
      await q.connect().sweepExpired();
      await lost(q.service.heartbeat({ jobId: expired.job.id, leaseToken: expired.token }), 'queued');
    });

    it('answers not_found for an unknown job', async () => {
      await expect(
        q.service.heartbeat({ jobId: '00000000-0000-7000-8000-000000000000', leaseToken: 't' }),
      ).rejects.toMatchObject({ code: 'not_found' });
    });
  });
});
