// jobInsert deduplicates on (type, dedupeKey) while the holder is unfinished (queued or running): it
// answers the existing job with inserted = false and writes nothing; once the holder has finished the
// key is free again.
import { expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/tables.js';
import { at, describeEachStore, ENQUEUED, newJob, runningJob } from './each-store.js';
import type { JobRecord } from '../../../src/store/store.js';

describeEachStore('store: jobInsert dedupe', (s) => {
  const insert = (over: Partial<JobRecord>) => s.store.jobInsert({ job: newJob(over), event: ENQUEUED });

  it('answers the queued holder with inserted = false and writes nothing', async () => {
    const first = await insert({ type: 'build', dedupeKey: 'pr-7', payload: { n: 1 } });
    expect(first.inserted).toBe(true);
    const before = await snapshotTables(s.db);
    const second = await insert({ type: 'build', dedupeKey: 'pr-7', payload: { n: 2 } });
    expect(second).toEqual({ job: first.job, inserted: false });
    expect(await snapshotTables(s.db)).toEqual(before);
  });

  it('a running holder keeps the key too', async () => {
    const holder = await runningJob(s.store, { type: 'build', dedupeKey: 'pr-7' });
    const again = await insert({ type: 'build', dedupeKey: 'pr-7' });
    expect(again).toEqual({ job: holder, inserted: false });
  });

  it('the key is per type, and jobs without a key never collide', async () => {
    await insert({ type: 'build', dedupeKey: 'pr-7' });
    expect((await insert({ type: 'test', dedupeKey: 'pr-7' })).inserted).toBe(true);
    expect((await insert({ type: 'build', dedupeKey: 'pr-8' })).inserted).toBe(true);
    expect((await insert({ type: 'build', dedupeKey: null })).inserted).toBe(true);
    expect((await insert({ type: 'build', dedupeKey: null })).inserted).toBe(true);
  });

  it('once the holder finished, the same key inserts a new job', async () => {
    for (const status of ['succeeded', 'failed', 'cancelled', 'dead_letter'] as const) {
      const holder = await runningJob(s.store, { type: status, dedupeKey: 'k' });
      await s.store.jobUpdate({
        id: holder.id,
        expect: { status: 'running' },
        set: { status, finishedAt: at(1), leaseToken: null },
        now: at(1),
      });
      const next = await insert({ type: status, dedupeKey: 'k' });
      expect(next.inserted, status).toBe(true);
      expect(next.job.id).not.toBe(holder.id);
      // And that one holds the key now.
      expect(await insert({ type: status, dedupeKey: 'k' })).toEqual({ job: next.job, inserted: false });
    }
  });
});
