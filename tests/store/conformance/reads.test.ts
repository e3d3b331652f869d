// The reads: a job round-trips every field exactly; jobList pages newest first; jobsExpiredList,
// jobCounts and jobNextRunAt answer what the sweeper, the status view and the long-poll ask.
import { expect, it } from 'vitest';
import {
  at,
  claimParams,
  describeEachStore,
  ENQUEUED,
  insertJob,
  newJob,
  runningJob,
  T0,
} from './each-store.js';

describeEachStore('store: a job round-trips', (s) => {
  it('returns every field as written, from jobInsert and from jobGet', async () => {
    const job = newJob({
      type: 'code.review',
      priority: -7,
      payload: {
        nested: { list: [1, 'two', null, true], empty: {} },
        unicode: 'ünïcödé ✓',
        big: 2 ** 53 - 1,
      },
      requiredCapabilities: ['gpu', 'linux'],
      dedupeKey: 'pr-42',
      runAt: at(30.123),
      maxAttempts: 9,
      createdBy: 'producer-1',
      createdAt: at(0.001),
      updatedAt: at(0.001),
    });
    const { job: inserted } = await s.store.jobInsert({ job, event: ENQUEUED });
    expect(inserted).toEqual(job);
    expect(await s.store.jobGet({ id: job.id })).toEqual(job);
  });

  it('returns every field a transition sets, nulls included', async () => {
    const running = await runningJob(s.store);
    const set = {
      status: 'failed' as const,
      progress: 12.5,
      progressMessage: 'almost',
      lastHeartbeatEventAt: at(3),
      cancelRequestedAt: at(4),
      cancelRequestedBy: 'ops',
      cancelReason: 'stop',
      result: { rows: [{ a: 1 }], text: 'x' },
      resultSummary: 'summary',
      errorMessage: 'boom',
      finishedAt: at(5),
      leaseToken: null,
      leaseExpiresAt: null,
    };
    const out = await s.store.jobUpdate({ id: running.id, expect: { status: 'running' }, set, now: at(5) });
    expect(out).toEqual({ ...running, ...set, updatedAt: at(5) });
    expect(await s.store.jobGet({ id: running.id })).toEqual(out);
    // A result may be any JSON value, not only an object.
    for (const result of ['plain text', 42, [1, 2], false]) {
      const r = await s.store.jobUpdate({
        id: running.id,
        expect: { status: 'failed' },
        set: { result },
        now: at(6),
      });
      expect(r?.result).toEqual(result);
    }
  });
});

describeEachStore('store: jobList', (s) => {
  it('pages newest first by id, `before` continuing after the last row of the previous page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await insertJob(s.store, { createdAt: at(i) })).id);
    const newest = [...ids].reverse();
    const page1 = await s.store.jobList({ limit: 3 });
    expect(page1.map((j) => j.id)).toEqual(newest.slice(0, 3));
    const page2 = await s.store.jobList({ limit: 3, before: { id: page1[2]!.id } });
    expect(page2.map((j) => j.id)).toEqual(newest.slice(3, 6));
    const page3 = await s.store.jobList({ limit: 3, before: { id: page2[2]!.id } });
    expect(page3.map((j) => j.id)).toEqual(newest.slice(6));
    expect(await s.store.jobList({ limit: 3, before: { id: page3[0]!.id } })).toEqual([]);
  });

  it('filters by status and by type, and pages within the filter', async () => {
    const a1 = await insertJob(s.store, { type: 'a', createdAt: at(1) });
    const b1 = await insertJob(s.store, { type: 'b', createdAt: at(2) });
    const a2 = await runningJob(s.store, { type: 'a', createdAt: at(3) });
    const a3 = await insertJob(s.store, { type: 'a', createdAt: at(4) });
    const ids = async (p: Parameters<typeof s.store.jobList>[0]) =>
      (await s.store.jobList(p)).map((j) => j.id);
    expect(await ids({ limit: 10, type: 'a' })).toEqual([a3.id, a2.id, a1.id]);
    expect(await ids({ limit: 10, status: 'queued' })).toEqual([a3.id, b1.id, a1.id]);
    expect(await ids({ limit: 10, status: 'queued', type: 'a' })).toEqual([a3.id, a1.id]);
    expect(await ids({ limit: 1, type: 'a', before: { id: a3.id } })).toEqual([a2.id]);
    expect(await ids({ limit: 10, status: 'dead_letter' })).toEqual([]);
  });

  it('filters by claimedBy: the jobs one worker holds', async () => {
    const mine = await runningJob(s.store, { createdAt: at(1) });
    const theirs = await runningJob(s.store, { createdAt: at(2) });
    await s.store.jobUpdate({
      id: theirs.id,
      expect: { status: 'running' },
      set: { claimedBy: 'other' },
      now: T0,
    });
    const queued = await insertJob(s.store, { createdAt: at(3) });
    const ids = async (p: Parameters<typeof s.store.jobList>[0]) =>
      (await s.store.jobList(p)).map((j) => j.id);
    expect(queued.claimedBy).toBeNull();
    expect(await ids({ limit: 10, status: 'running', claimedBy: 'worker' })).toEqual([mine.id]);
    expect(await ids({ limit: 10, claimedBy: 'other' })).toEqual([theirs.id]);
    expect(await ids({ limit: 10, claimedBy: 'nobody' })).toEqual([]);
  });
});

describeEachStore('store: jobsExpiredList, jobCounts, jobNextRunAt', (s) => {
  /** A running job whose lease expires at `expires`. */
  async function leased(expires: Date, type = 'run') {
    const job = await insertJob(s.store, { type });
    const { job: claimed } = await s.store.jobClaim(
      claimParams({ types: [type], leaseExpiresAt: expires, now: T0 }),
    );
    expect(claimed?.id).toBe(job.id);
    return claimed!;
  }

  it('jobsExpiredList: running jobs whose lease ended before now, soonest expired first, up to limit', async () => {
    const late = await leased(at(20));
    const early = await leased(at(10));
    const current = await leased(at(100));
    await insertJob(s.store, { type: 'queued' });
    const ids = async (now: Date, limit = 10) =>
      (await s.store.jobsExpiredList({ now, limit })).map((j) => j.id);
    expect(await ids(at(10))).toEqual([]);
    expect(await ids(at(10.001))).toEqual([early.id]);
    expect(await ids(at(50))).toEqual([early.id, late.id]);
    expect(await ids(at(50), 1)).toEqual([early.id]);
    expect(await ids(at(101))).toEqual([early.id, late.id, current.id]);
  });

  it('jobCounts: queued (due), delayed, blocked, running and stale running; finished jobs do not count', async () => {
    expect(await s.store.jobCounts({ now: T0 })).toEqual({
      queued: 0,
      delayed: 0,
      blocked: 0,
      running: 0,
      staleRunning: 0,
    });
    await insertJob(s.store, { runAt: at(-1) });
    await insertJob(s.store, { runAt: T0 });
    await insertJob(s.store, { runAt: at(60) });
    // Waiting for dependencies, due or not: blocked, neither queued nor delayed.
    await insertJob(s.store, { runAt: at(-1), pendingDependencies: 1 });
    await insertJob(s.store, { runAt: at(60), pendingDependencies: 2 });
    await leased(at(30));
    await leased(at(5));
    await insertJob(s.store, { status: 'succeeded', finishedAt: T0 });
    await insertJob(s.store, { status: 'dead_letter', finishedAt: T0 });
    expect(await s.store.jobCounts({ now: T0 })).toEqual({
      queued: 2,
      delayed: 1,
      blocked: 2,
      running: 2,
      staleRunning: 0,
    });
    expect(await s.store.jobCounts({ now: at(10) })).toEqual({
      queued: 2,
      delayed: 1,
      blocked: 2,
      running: 2,
      staleRunning: 1,
    });
    expect(await s.store.jobCounts({ now: at(60) })).toEqual({
      queued: 3,
      delayed: 0,
      blocked: 2,
      running: 2,
      staleRunning: 2,
    });
  });

  it('jobTally: jobs per (status, type), largest groups first, at most limit groups', async () => {
    expect(await s.store.jobTally({ limit: 10 })).toEqual([]);
    await insertJob(s.store, { type: 'a' });
    await insertJob(s.store, { type: 'a' });
    await insertJob(s.store, { type: 'b' });
    await insertJob(s.store, { type: 'a', status: 'succeeded', finishedAt: T0 });
    await leased(at(30), 'c');
    expect(await s.store.jobTally({ limit: 10 })).toEqual([
      { status: 'queued', type: 'a', count: 2 },
      { status: 'queued', type: 'b', count: 1 },
      { status: 'running', type: 'c', count: 1 },
      { status: 'succeeded', type: 'a', count: 1 },
    ]);
    expect(await s.store.jobTally({ limit: 1 })).toEqual([{ status: 'queued', type: 'a', count: 2 }]);
  });

  it('jobNextRunAt: the earliest run_at a worker could claim, whatever now is', async () => {
    const next = (types: string[] | undefined, capabilities: string[] = []) =>
      s.store.jobNextRunAt({ queue: 'default', types, capabilities });
    expect(await next(undefined)).toBeNull();
    await insertJob(s.store, { type: 'a', runAt: at(50) });
    await insertJob(s.store, { type: 'b', runAt: at(20) });
    await insertJob(s.store, { type: 'a', runAt: at(5), requiredCapabilities: ['gpu'] });
    // A running job is no candidate, however early its run_at.
    await runningJob(s.store, { type: 'a', runAt: at(-100) });
    expect(await next(undefined)).toEqual(at(20));
    expect(await next(['a'])).toEqual(at(50));
    expect(await next(['a'], ['gpu'])).toEqual(at(5));
    expect(await next(undefined, ['gpu', 'linux'])).toEqual(at(5));
    expect(await next(['c'])).toBeNull();
  });
});
