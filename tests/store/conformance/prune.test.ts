// jobsPrune deletes finished jobs that finished before the cutoff, with their events, at most `limit`
// per call; unfinished jobs, recently finished ones and other jobs' events stay.
import { expect, it } from 'vitest';
import { queryNumber } from '../../helpers/sql.js';
import { describeEachStore, insertJob, runningJob } from './each-store.js';
import type { JobStatus } from '../../../src/core/types.js';

const DAY_MS = 86_400_000;
const day = (n: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + n * DAY_MS);

describeEachStore('store: jobsPrune', (s) => {
  /** A job created on `created` that ends as `status` on `finished` (with two events). */
  async function finished(status: JobStatus, created: number, finished: number): Promise<string> {
    const job = await runningJob(s.store, { createdAt: day(created), runAt: day(created), type: status });
    await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running' },
      set: { status, finishedAt: day(finished), leaseToken: null },
      now: day(finished),
      event: { level: 'info', kind: 'finished' },
    });
    return job.id;
  }
  const exists = async (id: string) => (await s.store.jobGet({ id })) !== null;
  const eventsOf = (id: string) =>
    queryNumber(s.db, `select count(*) from agent_job_events where job_id = '${id}'`);

  it('deletes every finished status before the cutoff with its events, and nothing else', async () => {
    const old = [
      await finished('succeeded', 0, 1),
      await finished('failed', 0, 1),
      await finished('cancelled', 0, 2),
      await finished('dead_letter', 0, 3),
    ];
    // Created long ago but finished after the cutoff: retention counts from the finish.
    const recent = await finished('succeeded', 0, 20);
    const queued = (await insertJob(s.store, { createdAt: day(0), runAt: day(0) })).id;
    const running = (await runningJob(s.store, { createdAt: day(0), runAt: day(0) })).id;
    expect(await eventsOf(old[0]!)).toBe(3);

    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 100 })).toBe(4);
    for (const id of old) {
      expect(await exists(id)).toBe(false);
      expect(await eventsOf(id)).toBe(0);
    }
    for (const id of [recent, queued, running]) expect(await exists(id)).toBe(true);
    expect(await eventsOf(recent)).toBe(3);
    expect(await eventsOf(queued)).toBe(1);
    expect(await eventsOf(running)).toBe(2);
    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 100 })).toBe(0);
  });

  it('a job finishing exactly at the cutoff stays', async () => {
    const id = await finished('succeeded', 0, 10);
    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 100 })).toBe(0);
    expect(await exists(id)).toBe(true);
  });

  it('deletes at most `limit` jobs per call', async () => {
    for (let i = 0; i < 5; i++) await finished('succeeded', 0, 1);
    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 2 })).toBe(2);
    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 2 })).toBe(2);
    expect(await s.store.jobsPrune({ finishedBefore: day(10), limit: 2 })).toBe(1);
    expect(await queryNumber(s.db, 'select count(*) from agent_jobs')).toBe(0);
    expect(await queryNumber(s.db, 'select count(*) from agent_job_events')).toBe(0);
  });
});
