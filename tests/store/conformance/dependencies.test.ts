// The store's dependency methods, called directly on every backend: inserts with edges are all or
// nothing, an ending runs the propagation it is given (and only when it applied), a requeue
// recounts, and the claim takes only jobs waiting for nothing.
import { expect, it } from 'vitest';
import type { DependentInsert, JobRecord, Propagation, Store } from '../../../src/store/store.js';
import { at, claimAll, describeEachStore, ENQUEUED, insertJob, newJob, T0 } from './each-store.js';

const UNBLOCK: Propagation = { kind: 'unblock', event: { level: 'info', kind: 'dependencies_met' } };
const CANCEL: Propagation = {
  kind: 'cancel',
  set: { status: 'cancelled', finishedAt: at(5), cancelReason: 'dependency ended' },
  event: { level: 'warn', kind: 'cancelled', data: { why: 'dependency' } },
};

const dependent = (dependsOn: string[], over: Partial<JobRecord> = {}): DependentInsert => ({
  job: newJob(over),
  event: ENQUEUED,
  dependsOn,
});

async function insertOk(store: Store, jobs: DependentInsert[]) {
  const r = await store.jobsInsertWithDependencies({ jobs });
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r.jobs;
}

const end = (store: Store, job: JobRecord, status: 'succeeded' | 'failed', propagate: Propagation) =>
  store.jobEnd({
    id: job.id,
    expect: { status: 'queued' },
    set: { status, finishedAt: at(5) },
    now: at(5),
    event: { level: 'info', kind: status },
    propagate,
  });

describeEachStore('store: job dependencies', (s) => {
  it('inserts jobs after the jobs of the same call they depend on, counting what has not succeeded', async () => {
    const done = await insertJob(s.store, { status: 'succeeded', finishedAt: T0 });
    const first = newJob();
    const [a, b] = await insertOk(s.store, [
      { job: first, event: ENQUEUED, dependsOn: [done.id] },
      dependent([first.id, done.id]),
    ]);
    expect([a!.job.pendingDependencies, b!.job.pendingDependencies]).toEqual([0, 1]);
    expect((await s.store.jobGet({ id: done.id }))!.dependents).toBe(2);
    expect((await s.store.jobDependencies({ id: b!.job.id })).map((d) => d.id).sort()).toEqual(
      [first.id, done.id].sort(),
    );
    expect(await claimAll(s.store)).toEqual([first.id]);
  });

  it('an unknown or ended dependency refuses the whole call and writes nothing', async () => {
    const a = await insertJob(s.store);
    const failed = await insertJob(s.store, { status: 'failed', finishedAt: T0 });
    const unknown = newJob().id;
    expect(
      await s.store.jobsInsertWithDependencies({ jobs: [dependent([a.id]), dependent([unknown])] }),
    ).toEqual({
      ok: false,
      missing: [unknown],
    });
    expect(await s.store.jobsInsertWithDependencies({ jobs: [dependent([a.id, failed.id])] })).toEqual({
      ok: false,
      ended: [{ id: failed.id, status: 'failed' }],
    });
    expect((await s.store.jobList({ limit: 10 })).map((j) => j.id).sort()).toEqual([a.id, failed.id].sort());
    expect((await s.store.jobGet({ id: a.id }))!.dependents).toBe(0);
  });

  it('a success unblocks direct dependents only; the ones left waiting for none get the event', async () => {
    const a = await insertJob(s.store);
    const other = await insertJob(s.store);
    const [b, c] = await insertOk(s.store, [dependent([a.id]), dependent([a.id, other.id])]);
    const [d] = await insertOk(s.store, [dependent([b!.job.id])]);
    const out = await end(s.store, a, 'succeeded', UNBLOCK);
    expect(out!.unblocked.map((j) => j.id)).toEqual([b!.job.id]);
    expect((await s.store.jobGet({ id: c!.job.id }))!.pendingDependencies).toBe(1);
    expect((await s.store.jobGet({ id: d!.job.id }))!.pendingDependencies).toBe(1);
    const events = await s.store.eventsList({ jobId: b!.job.id, limit: 10 });
    expect(events.map((e) => [e.kind, e.at])).toEqual([
      ['enqueued', T0.toISOString()],
      ['dependencies_met', at(5).toISOString()],
    ]);
  });

  it('an unsuccessful ending sets every transitive dependent not ended, once, with the event', async () => {
    const a = await insertJob(s.store);
    const [b] = await insertOk(s.store, [dependent([a.id])]);
    const [c, d] = await insertOk(s.store, [dependent([b!.job.id]), dependent([a.id, b!.job.id])]);
    const out = await end(s.store, a, 'failed', CANCEL);
    expect(out!.cancelled.map((j) => j.id).sort()).toEqual([b!.job.id, c!.job.id, d!.job.id].sort());
    for (const job of out!.cancelled) {
      expect(job).toMatchObject({ status: 'cancelled', cancelReason: 'dependency ended', finishedAt: at(5) });
      const kinds = (await s.store.eventsList({ jobId: job.id, limit: 10 })).map((e) => e.kind);
      expect(kinds).toEqual(['enqueued', 'cancelled']);
    }
  });

  it('an ending that does not apply propagates nothing', async () => {
    const a = await insertJob(s.store, { status: 'running' });
    const [b] = await insertOk(s.store, [dependent([a.id])]);
    expect(await end(s.store, a, 'failed', CANCEL)).toBeNull();
    expect((await s.store.jobGet({ id: b!.job.id }))!.status).toBe('queued');
  });

  it('a requeue recounts what has not succeeded, and does not apply while a dependency ended badly', async () => {
    const a = await insertJob(s.store);
    const b = await insertJob(s.store);
    const [c] = await insertOk(s.store, [dependent([a.id, b.id])]);
    await end(s.store, a, 'failed', CANCEL);
    const requeue = () =>
      s.store.jobRequeueWithDependencies({
        id: c!.job.id,
        expect: { status: 'cancelled' },
        set: { status: 'queued', finishedAt: null },
        now: at(9),
        event: { level: 'info', kind: 'retried' },
      });
    expect(await requeue()).toBeNull();
    await s.store.jobUpdate({
      id: a.id,
      expect: { status: 'failed' },
      set: { status: 'succeeded' },
      now: at(8),
    });
    expect(await requeue()).toMatchObject({ status: 'queued', pendingDependencies: 1 });
  });
});
