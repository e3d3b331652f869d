// jobUpdate is a compare-and-set: it applies only when the row still matches every part of `expect`
// (status, lease token, cancel request, lease expiry, pause), and a miss returns null and changes
// nothing at all, in any table.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/tables.js';
import { at, describeEachStore, insertJob, pauseNext, runningJob } from './each-store.js';
import type { JobExpectation, JobRecord } from '../../../src/store/store.js';

describeEachStore('store: jobUpdate compare-and-set', (s) => {
  /** Finishes the job, if it still matches `expectation`, with an event and a wake-up. */
  const finish = (job: JobRecord, expectation: JobExpectation) =>
    s.store.jobUpdate({
      id: job.id,
      expect: expectation,
      set: { status: 'succeeded', finishedAt: at(10), resultSummary: 'written' },
      now: at(10),
      event: { level: 'info', kind: 'completed' },
      notify: { kind: 'job_changed', jobId: job.id },
    });

  /** A stale expectation: the write returns null and leaves every table as it was. */
  async function expectMiss(job: JobRecord, expectation: JobExpectation): Promise<void> {
    const before = await snapshotTables(s.db);
    expect(await finish(job, expectation), JSON.stringify(expectation)).toBeNull();
    expect(await snapshotTables(s.db)).toEqual(before);
  }

  /** The same write with a current expectation applies (so a miss above was the expectation's doing). */
  async function expectHit(job: JobRecord, expectation: JobExpectation): Promise<void> {
    const out = await finish(job, expectation);
    expect(out, JSON.stringify(expectation)).toMatchObject({ status: 'succeeded', resultSummary: 'written' });
  }

  it('misses on a stale status, single or among several', async () => {
    const job = await runningJob(s.store);
    await expectMiss(job, { status: 'queued' });
    await expectMiss(job, { status: ['queued', 'succeeded'] });
    await expectHit(job, { status: ['queued', 'running'] });
  });

  it('misses on another lease token', async () => {
    const job = await runningJob(s.store);
    await expectMiss(job, { status: 'running', leaseToken: 'someone-else' });
    await expectHit(job, { status: 'running', leaseToken: job.leaseToken! });
  });

  it('misses when a cancel request is expected absent but present, or present but absent', async () => {
    const job = await runningJob(s.store);
    await expectMiss(job, { status: 'running', cancelRequested: true });
    const requested = await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running', cancelRequested: false },
      set: { cancelRequestedAt: at(5), cancelRequestedBy: 'ops', cancelReason: 'stop' },
      now: at(5),
    });
    expect(requested).toMatchObject({ cancelRequestedAt: at(5), cancelRequestedBy: 'ops' });
    await expectMiss(requested!, { status: 'running', cancelRequested: false });
    await expectHit(requested!, { status: 'running', cancelRequested: true });
  });

  it('misses when the lease has not expired before the given time (a heartbeat extended it)', async () => {
    const job = await runningJob(s.store);
    expect(job.leaseExpiresAt).toEqual(at(60));
    // Expiring exactly at the time is not "expired before" it.
    await expectMiss(job, { status: 'running', leaseExpiredBefore: at(60) });
    await expectMiss(job, { status: 'running', leaseExpiredBefore: at(30) });
    await expectHit(job, { status: 'running', leaseExpiredBefore: at(60.001) });
  });

  it('misses with unlessPaused while workers are paused, and applies once resumed', async () => {
    const job = await runningJob(s.store);
    await s.store.pauseStateSet({ expectVersion: 0, ...pauseNext(true, at(1)) });
    await expectMiss(job, { status: 'running', unlessPaused: true });
    // Without the guard the pause does not matter to the store.
    const other = await runningJob(s.store, { type: 'other' });
    await expectHit(other, { status: 'running' });
    await s.store.pauseStateSet({ expectVersion: 1, ...pauseNext(false, at(2)) });
    await expectHit(job, { status: 'running', unlessPaused: true });
  });

  it('needs every part of the expectation to hold at once', async () => {
    const job = await runningJob(s.store);
    await expectMiss(job, { status: 'running', leaseToken: job.leaseToken!, cancelRequested: true });
    await expectMiss(job, { status: 'queued', leaseToken: job.leaseToken!, cancelRequested: false });
    await expectHit(job, {
      status: 'running',
      leaseToken: job.leaseToken!,
      cancelRequested: false,
      leaseExpiredBefore: at(61),
      unlessPaused: true,
    });
  });

  it('answers null for an id that is no UUID or names no job, and writes nothing', async () => {
    const job = await insertJob(s.store);
    const before = await snapshotTables(s.db);
    for (const id of ['job-1', '', `${job.id}x`, randomUUID()]) {
      const out = await s.store.jobUpdate({
        id,
        expect: { status: 'queued' },
        set: { status: 'cancelled' },
        now: at(1),
        event: { level: 'warn', kind: 'cancelled' },
      });
      expect(out, id).toBeNull();
      expect(await s.store.jobGet({ id }), id).toBeNull();
      expect(await s.store.eventsList({ jobId: id, limit: 10 }), id).toEqual([]);
    }
    expect(await snapshotTables(s.db)).toEqual(before);
  });

  it('sets exactly the given fields and updated_at, nothing else', async () => {
    const job = await runningJob(s.store, { payload: { keep: true }, createdBy: 'producer' });
    const out = await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running' },
      set: { progress: 55.5, progressMessage: 'half way', leaseExpiresAt: at(120) },
      now: at(7),
    });
    expect(out).toEqual({
      ...job,
      progress: 55.5,
      progressMessage: 'half way',
      leaseExpiresAt: at(120),
      updatedAt: at(7),
    });
    expect(await s.store.jobGet({ id: job.id })).toEqual(out);
  });
});
