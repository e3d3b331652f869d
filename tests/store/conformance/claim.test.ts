// jobClaim: which job it takes (priority DESC, created_at, id), which jobs it may take (types,
// capabilities, run_at, the pause guard), what the taken row becomes, and the pause state it answers.
import { expect, it } from 'vitest';
import { uuidv7 } from '../../../src/core/ids.js';
import { at, claimAll, claimParams, describeEachStore, insertJob, pauseNext, T0 } from './each-store.js';

describeEachStore('store: jobClaim order and filters', (s) => {
  it('takes the highest priority, then the oldest created_at, then the smallest id', async () => {
    const name = new Map<string, string>();
    const add = async (label: string, over: Parameters<typeof insertJob>[1]) =>
      name.set((await insertJob(s.store, over)).id, label);
    // created_at decides before id: 'p5-older' has the larger id but the earlier created_at.
    await add('p5-newer', { priority: 5, createdAt: at(2), id: uuidv7(at(2).getTime()) });
    await add('p5-older', { priority: 5, createdAt: at(1), id: uuidv7(at(9).getTime()) });
    // Equal priority and created_at: the id decides, whatever the insertion order.
    const tied = [uuidv7(T0.getTime()), uuidv7(T0.getTime()), uuidv7(T0.getTime())].sort();
    await add('p0-id3', { createdAt: T0, id: tied[2]! });
    await add('p0-id1', { createdAt: T0, id: tied[0]! });
    await add('p0-id2', { createdAt: T0, id: tied[1]! });
    await add('negative', { priority: -1, createdAt: at(-60) });
    await add('p0-later', { createdAt: at(3) });

    const order = await claimAll(s.store, { now: at(10) });
    expect(order.map((id) => name.get(id))).toEqual([
      'p5-older',
      'p5-newer',
      'p0-id1',
      'p0-id2',
      'p0-id3',
      'p0-later',
      'negative',
    ]);
  });

  it('takes only the given types; `types: undefined` takes any', async () => {
    const alpha = await insertJob(s.store, { type: 'alpha' });
    const beta = await insertJob(s.store, { type: 'beta' });
    const gamma = await insertJob(s.store, { type: 'gamma' });
    expect(await claimAll(s.store, { types: ['beta', 'delta'] })).toEqual([beta.id]);
    expect(await claimAll(s.store, { types: ['delta'] })).toEqual([]);
    expect(await claimAll(s.store, { types: undefined })).toEqual([alpha.id, gamma.id]);
  });

  it('an empty type list matches no type (the API turns `types: []` into undefined before the store)', async () => {
    const job = await insertJob(s.store, { type: 'alpha' });
    // Set semantics, the same on both backends: a caller that skips the claim schema takes nothing
    // rather than everything.
    expect(await claimAll(s.store, { types: [] })).toEqual([]);
    expect(await s.store.jobNextRunAt({ queue: 'default', types: [], capabilities: [] })).toBeNull();
    expect(await claimAll(s.store, { types: undefined })).toEqual([job.id]);
  });

  it('gives a job only to a worker whose capabilities include all it requires', async () => {
    const both = await insertJob(s.store, { requiredCapabilities: ['gpu', 'linux'], priority: 2 });
    const gpu = await insertJob(s.store, { requiredCapabilities: ['gpu'], priority: 1 });
    const none = await insertJob(s.store, { requiredCapabilities: [] });
    // No capabilities: only the job that requires none.
    expect(await claimAll(s.store, { capabilities: [] })).toEqual([none.id]);
    // A near miss is no match: 'linux-ish' is not 'linux'.
    expect(await claimAll(s.store, { capabilities: ['linux-ish', 'gpu'] })).toEqual([gpu.id]);
    // A superset matches.
    expect(await claimAll(s.store, { capabilities: ['arm', 'linux', 'gpu'] })).toEqual([both.id]);
  });

  it('a job that requires no capabilities goes to any worker, with or without capabilities', async () => {
    const a = await insertJob(s.store);
    const b = await insertJob(s.store);
    expect((await s.store.jobClaim(claimParams({ capabilities: ['gpu'] }))).job?.id).toBe(a.id);
    expect((await s.store.jobClaim(claimParams({ capabilities: [] }))).job?.id).toBe(b.id);
  });

  it('does not take a job whose run_at is still in the future; takes it from run_at on', async () => {
    const later = await insertJob(s.store, { runAt: at(30) });
    expect((await s.store.jobClaim(claimParams({ now: at(29.999) }))).job).toBeNull();
    expect((await s.store.jobGet({ id: later.id }))?.status).toBe('queued');
    expect((await s.store.jobClaim(claimParams({ now: at(30) }))).job?.id).toBe(later.id);
  });

  it('takes only queued jobs', async () => {
    const job = await insertJob(s.store);
    expect((await s.store.jobClaim(claimParams())).job?.id).toBe(job.id);
    expect((await s.store.jobClaim(claimParams())).job).toBeNull();
    const done = await insertJob(s.store, { status: 'succeeded', finishedAt: T0 });
    expect((await s.store.jobClaim(claimParams())).job).toBeNull();
    expect((await s.store.jobGet({ id: done.id }))?.status).toBe('succeeded');
  });
});

describeEachStore('store: jobClaim writes the claim and answers the pause state', (s) => {
  it('makes the row running with the lease, attempt + 1 and the claim times', async () => {
    const job = await insertJob(s.store, { progress: 40, progressMessage: 'from before' });
    const now = at(5);
    const { job: claimed, pause } = await s.store.jobClaim(
      claimParams({
        now,
        workerId: 'worker-a',
        leaseToken: 'secret-token',
        leaseExpiresAt: at(95),
        leaseSeconds: 90,
      }),
    );
    expect(claimed).toEqual({
      ...job,
      status: 'running',
      claimedBy: 'worker-a',
      leaseToken: 'secret-token',
      leaseExpiresAt: at(95),
      leaseSeconds: 90,
      attempt: 1,
      startedAt: now,
      updatedAt: now,
      progress: null,
      progressMessage: null,
      lastHeartbeatEventAt: now,
    });
    expect(await s.store.jobGet({ id: job.id })).toEqual(claimed);
    expect(pause).toMatchObject({ paused: false, version: 0 });
  });

  it('keeps the first started_at when a job is claimed again', async () => {
    const job = await insertJob(s.store);
    await s.store.jobClaim(claimParams({ now: at(1) }));
    await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running' },
      set: { status: 'queued', leaseToken: null, leaseExpiresAt: null, runAt: at(2) },
      now: at(2),
    });
    const { job: again } = await s.store.jobClaim(claimParams({ now: at(3) }));
    expect(again).toMatchObject({ id: job.id, attempt: 2, startedAt: at(1), updatedAt: at(3) });
  });

  it('with unlessPaused takes nothing while workers are paused, and answers that pause', async () => {
    const job = await insertJob(s.store);
    const { next, audit } = pauseNext(true, at(1));
    const paused = await s.store.pauseStateSet({ expectVersion: 0, next, audit });
    expect(paused).toMatchObject({ paused: true, version: 1 });

    const refused = await s.store.jobClaim(claimParams({ unlessPaused: true, now: at(2) }));
    expect(refused.job).toBeNull();
    expect(refused.pause).toEqual(paused);
    expect((await s.store.jobGet({ id: job.id }))?.status).toBe('queued');
    expect(await s.store.eventsList({ jobId: job.id, limit: 10 })).toHaveLength(1);

    // Without the guard the store does not judge the pause itself.
    const unguarded = await s.store.jobClaim(claimParams({ unlessPaused: false, now: at(2) }));
    expect(unguarded.job?.id).toBe(job.id);
  });

  it('with unlessPaused takes a job again once resumed, and answers the resumed state', async () => {
    const job = await insertJob(s.store);
    const p = pauseNext(true, at(1));
    await s.store.pauseStateSet({ expectVersion: 0, ...p });
    const r = pauseNext(false, at(2));
    const resumed = await s.store.pauseStateSet({ expectVersion: 1, ...r });
    expect(resumed).toMatchObject({ paused: false, mode: null, version: 2 });
    const { job: claimed, pause } = await s.store.jobClaim(claimParams({ unlessPaused: true, now: at(3) }));
    expect(claimed?.id).toBe(job.id);
    expect(pause).toEqual(resumed);
  });

  it('answers the pause state with an empty queue too', async () => {
    const { job, pause } = await s.store.jobClaim(claimParams({ unlessPaused: true }));
    expect(job).toBeNull();
    expect(pause).toEqual(await s.store.pauseStateGet());
  });
});
