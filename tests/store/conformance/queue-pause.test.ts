// A named queue's own pause row (docs/queues.md): none until the first pause (queuePauseGet: null),
// queuePauseSet inserts it at version 1 or updates it by compare-and-set, with an audit row naming
// the queue; the claim reads it in its own statement and refuses the queue's jobs while it is paused;
// reads by queue (jobList, jobCounts) and the expiry list keep to it.
import { expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/tables.js';
import { at, claimParams, describeEachStore, insertJob, pauseNext, runningJob } from './each-store.js';

describeEachStore('store: named queues', (s) => {
  it('a queue never paused has no row; the first pause inserts it at version 1 with its audit row', async () => {
    expect(await s.store.queuePauseGet({ queue: 'acme' })).toBeNull();
    const { next, audit } = pauseNext(true, at(1));
    const set = await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, next, audit });
    expect(set).toEqual({ ...next, queue: 'acme', version: 1 });
    expect(await s.store.queuePauseGet({ queue: 'acme' })).toEqual(set);
    expect(await s.store.queuePauseGet({ queue: 'globex' })).toBeNull();
    // The fleet's row is untouched.
    expect(await s.store.pauseStateGet()).toMatchObject({ paused: false, version: 0 });
    expect(await s.store.controlEventsList({ limit: 10 })).toEqual([
      { id: expect.any(Number), queue: 'acme', ...audit },
    ]);
  });

  it('a stale version (0 when the row exists, or any other) changes nothing and appends no audit', async () => {
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, ...pauseNext(true, at(1)) });
    const before = await snapshotTables(s.db);
    for (const expectVersion of [0, 2]) {
      const lost = await s.store.queuePauseSet({ queue: 'acme', expectVersion, ...pauseNext(false, at(2)) });
      expect(lost).toBeNull();
    }
    expect(await snapshotTables(s.db)).toEqual(before);
    const resumed = await s.store.queuePauseSet({
      queue: 'acme',
      expectVersion: 1,
      ...pauseNext(false, at(2)),
    });
    expect(resumed).toMatchObject({ queue: 'acme', paused: false, version: 2 });
  });

  it("queuePauseGet by job id reads the job's queue's row", async () => {
    const job = await insertJob(s.store, { queue: 'acme' });
    const other = await insertJob(s.store, { queue: 'globex' });
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, ...pauseNext(true, at(1)) });
    expect(await s.store.queuePauseGet({ jobId: job.id })).toMatchObject({ queue: 'acme', paused: true });
    expect(await s.store.queuePauseGet({ jobId: other.id })).toBeNull();
    expect(await s.store.queuePauseGet({ jobId: 'not-a-uuid' })).toBeNull();
  });

  it('controlEventsList with a queue: the fleet rows and that queue’s, newest first', async () => {
    await s.store.pauseStateSet({ expectVersion: 0, ...pauseNext(true, at(1)) });
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, ...pauseNext(true, at(2)) });
    await s.store.queuePauseSet({ queue: 'globex', expectVersion: 0, ...pauseNext(true, at(3)) });
    const acme = await s.store.controlEventsList({ limit: 10, queue: 'acme' });
    expect(acme.map((e) => e.queue ?? null)).toEqual(['acme', null]);
    expect((await s.store.controlEventsList({ limit: 10 })).map((e) => e.queue ?? null)).toEqual([
      'globex',
      'acme',
      null,
    ]);
  });

  it("the claim takes nothing from a paused queue, and returns that queue's row with the fleet's", async () => {
    await insertJob(s.store, { queue: 'acme' });
    const other = await insertJob(s.store, { queue: 'globex' });
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, ...pauseNext(true, at(1)) });
    const refused = await s.store.jobClaim(claimParams({ queue: 'acme', unlessPaused: true }));
    expect(refused.job).toBeNull();
    expect(refused.pause).toMatchObject({ paused: false, version: 0 });
    expect(refused.queuePause).toMatchObject({ queue: 'acme', paused: true, version: 1 });
    const taken = await s.store.jobClaim(claimParams({ queue: 'globex', unlessPaused: true }));
    expect(taken.job?.id).toBe(other.id);
    expect(taken.queuePause).toBeNull();
  });

  it('jobList and jobCounts keep to a queue when given one', async () => {
    await insertJob(s.store, { queue: 'acme' });
    await insertJob(s.store, { queue: 'acme', runAt: at(3600) });
    await runningJob(s.store, { queue: 'globex' });
    expect((await s.store.jobList({ queue: 'acme', limit: 10 })).map((j) => j.queue)).toEqual([
      'acme',
      'acme',
    ]);
    expect(await s.store.jobList({ limit: 10 })).toHaveLength(3);
    expect(await s.store.jobCounts({ now: at(1), queue: 'acme' })).toEqual({
      queued: 1,
      delayed: 1,
      blocked: 0,
      running: 0,
      staleRunning: 0,
    });
    expect(await s.store.jobCounts({ now: at(1), queue: 'globex' })).toMatchObject({ running: 1 });
    expect(await s.store.jobCounts({ now: at(1) })).toMatchObject({ queued: 1, delayed: 1, running: 1 });
  });

  it("jobsExpiredList leaves out a paused queue's jobs", async () => {
    const acme = await runningJob(s.store, { queue: 'acme' });
    const globex = await runningJob(s.store, { queue: 'globex' });
    const later = at(3600);
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 0, ...pauseNext(true, at(1)) });
    expect((await s.store.jobsExpiredList({ now: later, limit: 10 })).map((j) => j.id)).toEqual([globex.id]);
    await s.store.queuePauseSet({ queue: 'acme', expectVersion: 1, ...pauseNext(false, at(2)) });
    const ids = (await s.store.jobsExpiredList({ now: later, limit: 10 })).map((j) => j.id);
    expect(ids.sort()).toEqual([acme.id, globex.id].sort());
  });
});
