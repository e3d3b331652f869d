// Retention (SPEC §15): finished jobs and their events are deleted once they finished more than
// the retention period ago; unfinished and recent jobs, and other jobs' events, stay.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { queryNumber } from '../helpers/sql.js';

describe.each(backendsForSuite())('retention pruning ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  async function finishOne(): Promise<string> {
    const { job } = await q.service.enqueue({ type: 'old' });
    const { lease } = await q.service.claim({ workerId: 'w', types: ['old'] });
    await q.service.complete({ jobId: job.id, leaseToken: lease!.token });
    return job.id;
  }

  it('deletes jobs finished before the cutoff with their events, and nothing else', async () => {
    const oldDone = [await finishOne(), await finishOne()];
    const { job: oldQueued } = await q.service.enqueue({ type: 'waiting' });
    clock.advance(10 * 86_400);
    const recentDone = await finishOne();
    clock.advance(5 * 86_400);

    expect(await q.service.pruneFinished(14)).toBe(2);

    for (const id of oldDone) {
      await expect(q.service.get({ jobId: id })).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await q.service.get({ jobId: recentDone })).job.status).toBe('succeeded');
    expect((await q.service.get({ jobId: oldQueued.id })).job.status).toBe('queued');
    const orphanEvents = await queryNumber(
      q.db,
      'select count(*) as n from agent_job_events where job_id not in (select id from agent_jobs)',
    );
    expect(orphanEvents).toBe(0);
    expect((await q.service.events({ jobId: recentDone })).events.length).toBe(3);
    expect(await q.service.pruneFinished(14)).toBe(0);
  });
});
