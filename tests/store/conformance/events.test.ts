// The timeline is written with the change it describes: jobInsert, jobClaim and jobUpdate append
// their event in the same atomic write (both or neither; a missed compare-and-set appends none), and
// eventsList reads it back in order, after a given id, or the latest few.
import { expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/tables.js';
import { at, claimParams, describeEachStore, insertJob, newJob, runningJob, T0 } from './each-store.js';
import type { EventLevel } from '../../../src/core/types.js';

describeEachStore('store: each write appends its event atomically', (s) => {
  const events = (jobId: string) => s.store.eventsList({ jobId, limit: 100 });

  it('jobInsert appends the event at created_at, attempt 0, with its message and data', async () => {
    const job = newJob({ createdAt: at(3) });
    await s.store.jobInsert({
      job,
      event: { level: 'info', kind: 'enqueued', message: 'hello', data: { via: 'test', n: [1, 2] } },
    });
    expect(await events(job.id)).toEqual([
      {
        id: expect.any(Number),
        jobId: job.id,
        at: at(3).toISOString(),
        level: 'info',
        kind: 'enqueued',
        attempt: 0,
        message: 'hello',
        data: { via: 'test', n: [1, 2] },
      },
    ]);
  });

  it('jobClaim appends its event with the new attempt; a claim that takes nothing appends none', async () => {
    const job = await insertJob(s.store);
    await s.store.jobClaim(
      claimParams({ now: at(4), event: { level: 'info', kind: 'claimed', data: { workerId: 'w' } } }),
    );
    const before = await snapshotTables(s.db);
    expect((await s.store.jobClaim(claimParams({ now: at(5) }))).job).toBeNull();
    expect(await snapshotTables(s.db)).toEqual(before);
    expect((await events(job.id)).map((e) => [e.kind, e.attempt, e.at, e.data, e.message])).toEqual([
      ['enqueued', 0, T0.toISOString(), null, null],
      ['claimed', 1, at(4).toISOString(), { workerId: 'w' }, null],
    ]);
  });

  it('jobUpdate appends its event with the attempt the row has after the update', async () => {
    const job = await runningJob(s.store);
    await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running' },
      set: { status: 'queued', attempt: 1, leaseToken: null },
      now: at(8),
      event: { level: 'warn', kind: 'retry_scheduled', message: 'flaky', data: { delaySeconds: 4 } },
    });
    // Without an event, only the row changes.
    await s.store.jobUpdate({ id: job.id, expect: { status: 'queued' }, set: { priority: 3 }, now: at(9) });
    const timeline = await events(job.id);
    expect(timeline.map((e) => [e.kind, e.level, e.attempt])).toEqual([
      ['enqueued', 'info', 0],
      ['claimed', 'info', 1],
      ['retry_scheduled', 'warn', 1],
    ]);
    expect(timeline[2]).toMatchObject({
      at: at(8).toISOString(),
      message: 'flaky',
      data: { delaySeconds: 4 },
    });
  });

  it('a missed compare-and-set appends no event', async () => {
    const job = await runningJob(s.store);
    const out = await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running', leaseToken: 'stale' },
      set: { status: 'failed' },
      now: at(1),
      event: { level: 'error', kind: 'failed' },
    });
    expect(out).toBeNull();
    expect((await events(job.id)).map((e) => e.kind)).toEqual(['enqueued', 'claimed']);
  });

  it('an event that cannot be written undoes the change it describes', async () => {
    // The event's level is checked by the database: a refused event must take its write with it.
    const bad = { level: 'loud' as EventLevel, kind: 'x' };
    const job = await runningJob(s.store);
    const update = { id: job.id, expect: { status: 'running' as const }, set: { status: 'failed' as const } };
    let before = await snapshotTables(s.db);
    await expect(s.store.jobUpdate({ ...update, now: at(1), event: bad })).rejects.toThrow();
    expect(await snapshotTables(s.db)).toEqual(before);
    await expect(s.store.jobInsert({ job: newJob(), event: bad })).rejects.toThrow();
    expect(await snapshotTables(s.db)).toEqual(before);
    await insertJob(s.store);
    before = await snapshotTables(s.db);
    await expect(s.store.jobClaim(claimParams({ event: bad }))).rejects.toThrow();
    expect(await snapshotTables(s.db)).toEqual(before);
  });
});

describeEachStore('store: eventsList', (s) => {
  /** A job with n events: enqueued, then n - 1 updates that each append one. */
  async function jobWithEvents(n: number): Promise<string> {
    const job = await insertJob(s.store);
    for (let i = 1; i < n; i++) {
      await s.store.jobUpdate({
        id: job.id,
        expect: { status: 'queued' },
        set: { progressMessage: `step ${i}` },
        now: at(i),
        event: { level: 'info', kind: 'log', message: `step ${i}` },
      });
    }
    return job.id;
  }

  it('lists a job’s events in ascending id order, only that job’s, up to limit', async () => {
    const a = await jobWithEvents(4);
    const b = await jobWithEvents(2);
    const all = await s.store.eventsList({ jobId: a, limit: 100 });
    expect(all.map((e) => e.message)).toEqual([null, 'step 1', 'step 2', 'step 3']);
    expect(all.every((e) => e.jobId === a)).toBe(true);
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(await s.store.eventsList({ jobId: a, limit: 2 })).toEqual(all.slice(0, 2));
    expect(await s.store.eventsList({ jobId: b, limit: 100 })).toHaveLength(2);
  });

  it('`after` returns only the events after that id', async () => {
    const a = await jobWithEvents(5);
    const all = await s.store.eventsList({ jobId: a, limit: 100 });
    expect(await s.store.eventsList({ jobId: a, after: all[1]!.id, limit: 100 })).toEqual(all.slice(2));
    expect(await s.store.eventsList({ jobId: a, after: all[1]!.id, limit: 2 })).toEqual(all.slice(2, 4));
    expect(await s.store.eventsList({ jobId: a, after: all[4]!.id, limit: 100 })).toEqual([]);
  });

  it('`latest` returns the last `limit` events, still ascending', async () => {
    const a = await jobWithEvents(5);
    const all = await s.store.eventsList({ jobId: a, limit: 100 });
    expect(await s.store.eventsList({ jobId: a, limit: 2, latest: true })).toEqual(all.slice(3));
    expect(await s.store.eventsList({ jobId: a, limit: 100, latest: true })).toEqual(all);
  });
});
