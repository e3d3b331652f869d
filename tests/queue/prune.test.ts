// Retention (SPEC §15): finished jobs and their events are deleted once they finished more than the
// retention period ago; unfinished and recent jobs, and other jobs' events, stay. Pruning runs in
// small batches that never hold up claims: while 2,000 old finished jobs are deleted, a second
// service on its own connection keeps claiming and completing jobs.
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { startJob } from '../helpers/jobs.js';
import { insertFinishedJobs, insertQueuedJobs, queryNumber } from '../helpers/sql.js';

const DAY_MS = 86_400_000;

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

describe.each(backendsForSuite())('pruning in batches ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('deletes only old finished jobs and their events, while claims on another connection go on', async () => {
    const now = Date.now();
    await insertFinishedJobs(q.db, 2_000, { type: 'old', finishedAt: new Date(now - 30 * DAY_MS) });
    const recent = await insertFinishedJobs(q.db, 20, {
      type: 'recent',
      finishedAt: new Date(now - 2 * DAY_MS),
    });
    // Created long ago but never finished: retention is about finishing, not age.
    const past = q.connect({ clock: new FakeClock(new Date(now - 30 * DAY_MS)) });
    const { job: staleQueued } = await past.enqueue({ type: 'stale.queued' });
    const { job: staleRunning } = await startJob(past, { type: 'stale.running' });
    await insertQueuedJobs(q.db, 500, 'live');

    const worker = q.connect();
    let completed = 0;
    let pruning = true;
    const claiming = (async () => {
      while (pruning) {
        const { job, lease } = await worker.claim({ workerId: 'w', types: ['live'] });
        if (!job) return;
        await worker.complete({ jobId: job.id, leaseToken: lease!.token });
        completed++;
        // As requests from a client arrive: SQLite calls are synchronous, so a loop of them that
        // never yields to the event loop would keep every timer (the prune's pause too) from firing.
        await setImmediate();
      }
    })();
    const completedBefore = completed;
    const deleted = await q.service.pruneFinished(14);
    const completedDuring = completed - completedBefore;
    pruning = false;
    await claiming;

    expect(deleted).toBe(2_000);
    // Claims went on between the prune's start and its end: no batch held them up to the end.
    expect(completedDuring).toBeGreaterThan(0);
    expect(await queryNumber(q.db, `select count(*) from agent_jobs where type = 'old'`)).toBe(0);
    expect(
      await queryNumber(
        q.db,
        'select count(*) from agent_job_events where job_id not in (select id from agent_jobs)',
      ),
    ).toBe(0);
    for (const id of [recent[0]!, recent[19]!]) {
      expect((await q.service.events({ jobId: id })).events.map((e) => e.kind)).toEqual([
        'enqueued',
        'completed',
      ]);
    }
    expect(await queryNumber(q.db, `select count(*) from agent_jobs where type = 'recent'`)).toBe(20);
    expect(await queryNumber(q.db, `select count(*) from agent_jobs where type = 'live'`)).toBe(500);
    for (const job of [staleQueued, staleRunning]) {
      expect((await q.service.get({ jobId: job.id })).job.finishedAt).toBeNull();
    }
  });

  it('refuses a negative or non-numeric age', async () => {
    for (const days of [-1, Number.NaN]) {
      await expect(q.service.pruneFinished(days)).rejects.toMatchObject({ code: 'invalid_argument' });
    }
  });
});
