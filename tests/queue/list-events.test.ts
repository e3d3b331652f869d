// get, list and events (SPEC §4, §6): reads, keyset pagination and the append-only timeline.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { startJob } from '../helpers/jobs.js';
import type { Job, JobStatus, JobSummary } from '../../src/core/types.js';

/** Newest first: createdAt DESC, then id DESC. */
const newestFirst = (a: JobSummary, b: JobSummary) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

describe.each(backendsForSuite())('get, list, events ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  /** 25 jobs over 9 distinct createdAt values, so pages also split runs of equal createdAt. */
  async function enqueue25(): Promise<Job[]> {
    const jobs: Job[] = [];
    for (let i = 0; i < 25; i++) {
      if (i % 3 === 0) clock.advance(1);
      jobs.push((await q.service.enqueue({ type: i % 2 ? 'odd' : 'even', payload: { i } })).job);
    }
    return jobs;
  }

  async function pageThrough(filter: { status?: JobStatus; type?: string }, limit: number) {
    const pages: JobSummary[][] = [];
    let cursor: string | undefined;
    do {
      const page = await q.service.list({ ...filter, limit, ...(cursor ? { cursor } : {}) });
      pages.push(page.jobs);
      cursor = page.nextCursor ?? undefined;
      expect(pages.length).toBeLessThan(50);
    } while (cursor);
    return pages;
  }

  it('get returns the job, and with events the latest N events oldest first', async () => {
    const { job, token } = await startJob(q.service);
    for (let i = 1; i <= 3; i++)
      await q.service.heartbeat({ jobId: job.id, leaseToken: token, message: `step ${i}` });
    const plain = await q.service.get({ jobId: job.id });
    expect(plain.job.id).toBe(job.id);
    expect(plain.events).toBeUndefined();
    const withEvents = await q.service.get({ jobId: job.id, events: 2 });
    expect(withEvents.events!.map((e) => e.message)).toEqual(['step 2', 'step 3']);
    const all = await q.service.get({ jobId: job.id, events: 200 });
    expect(all.events!.map((e) => e.kind)).toEqual([
      'enqueued',
      'claimed',
      'progress',
      'progress',
      'progress',
    ]);
    await expectQueueError(q.service.get({ jobId: randomUUID() }), 'not_found');
    await expectQueueError(q.service.get({ jobId: 'nope' }), 'not_found', /nope/);
  });

  it('list pages through 25 jobs, 10 at a time, newest first, none twice and none missing', async () => {
    const jobs = await enqueue25();
    const pages = await pageThrough({}, 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const seen = pages.flat();
    expect(seen.map((j) => j.id)).toEqual([...jobs].sort(newestFirst).map((j) => j.id));
    expect(new Set(seen.map((j) => j.id)).size).toBe(25);
  });

  it('list keeps its place when new jobs arrive between pages', async () => {
    const jobs = await enqueue25();
    const first = await q.service.list({ limit: 10 });
    clock.advance(1);
    await q.service.enqueue({ type: 'even' });
    const second = await q.service.list({ limit: 10, cursor: first.nextCursor! });
    expect(second.jobs.map((j) => j.id)).toEqual(
      [...jobs]
        .sort(newestFirst)
        .slice(10, 20)
        .map((j) => j.id),
    );
  });

  it('list filters by status and type, also across pages', async () => {
    const jobs = await enqueue25();
    // Take the three oldest "even" jobs to different ends.
    for (const end of ['succeeded', 'failed', 'running'] as const) {
      const a = await q.service.claim({ workerId: 'w', types: ['even'] });
      if (end === 'succeeded') await q.service.complete({ jobId: a.job!.id, leaseToken: a.lease!.token });
      if (end === 'failed')
        await q.service.fail({ jobId: a.job!.id, leaseToken: a.lease!.token, error: 'x', retryable: false });
    }
    const even = jobs.filter((j) => j.type === 'even');
    expect((await pageThrough({ type: 'even' }, 4)).flat().map((j) => j.id)).toEqual(
      even.sort(newestFirst).map((j) => j.id),
    );
    const odd = (await pageThrough({ type: 'odd', status: 'queued' }, 5)).flat();
    expect(odd).toHaveLength(12);
    expect(odd.every((j) => j.type === 'odd' && j.status === 'queued')).toBe(true);
    expect((await q.service.list({ status: 'succeeded' })).jobs).toHaveLength(1);
    expect((await q.service.list({ status: 'failed', type: 'even' })).jobs).toHaveLength(1);
    expect((await q.service.list({ status: 'running' })).jobs).toHaveLength(1);
    expect((await q.service.list({ status: 'queued', type: 'even' })).jobs).toHaveLength(10);
    expect((await q.service.list({ status: 'dead_letter' })).jobs).toEqual([]);
  });

  it('list defaults to 50 per page and says when there is no next page', async () => {
    expect(await q.service.list()).toEqual({ jobs: [], nextCursor: null });
    for (let i = 0; i < 51; i++) await q.service.enqueue({ type: 't' });
    const page = await q.service.list({});
    expect(page.jobs).toHaveLength(50);
    const rest = await q.service.list({ cursor: page.nextCursor! });
    expect(rest).toMatchObject({ jobs: [expect.anything()], nextCursor: null });
  });

  it('list rejects a cursor it did not issue with invalid_argument', async () => {
    await q.service.enqueue({ type: 't' });
    const forged = [
      'not-a-cursor',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from(JSON.stringify([Date.now(), 'x'])).toString('base64url'),
      Buffer.from(JSON.stringify(['soon', randomUUID()])).toString('base64url'),
    ];
    for (const cursor of forged)
      await expectQueueError(q.service.list({ cursor }), 'invalid_argument', /cursor/);
  });

  it('events: every state change wrote exactly one event, in order, with the attempt it belongs to', async () => {
    const { job } = await q.service.enqueue({ type: 't' });
    const c1 = await q.service.claim({ workerId: 'w' });
    await q.service.heartbeat({ jobId: job.id, leaseToken: c1.lease!.token, progress: 10 });
    await q.service.fail({ jobId: job.id, leaseToken: c1.lease!.token, error: 'flaky' });
    clock.advance(3600);
    const c2 = await q.service.claim({ workerId: 'w' });
    await q.service.complete({ jobId: job.id, leaseToken: c2.lease!.token, resultSummary: 'ok' });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.map((e) => [e.kind, e.attempt])).toEqual([
      ['enqueued', 0],
      ['claimed', 1],
      ['progress', 1],
      ['retry_scheduled', 1],
      ['claimed', 2],
      ['completed', 2],
    ]);
    expect(events.every((e) => e.jobId === job.id)).toBe(true);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('events are append-only and `after` returns only newer ones', async () => {
    const { job, token } = await startJob(q.service);
    const { events: early } = await q.service.events({ jobId: job.id });
    for (let i = 0; i < 5; i++)
      await q.service.heartbeat({ jobId: job.id, leaseToken: token, message: `m${i}` });
    await q.service.complete({ jobId: job.id, leaseToken: token });
    const { events: all } = await q.service.events({ jobId: job.id });
    // What was there before is still there, unchanged.
    expect(all.slice(0, early.length)).toEqual(early);
    expect(all).toHaveLength(8);
    const after = await q.service.events({ jobId: job.id, after: all[3]!.id });
    expect(after.events).toEqual(all.slice(4));
    const paged = await q.service.events({ jobId: job.id, after: all[1]!.id, limit: 2 });
    expect(paged.events).toEqual(all.slice(2, 4));
    expect((await q.service.events({ jobId: job.id, after: all.at(-1)!.id })).events).toEqual([]);
    // Another job's events never show up in this timeline.
    const other = (await q.service.enqueue({ type: 't' })).job;
    expect((await q.service.events({ jobId: job.id })).events).toEqual(all);
    expect((await q.service.events({ jobId: other.id })).events.map((e) => e.kind)).toEqual(['enqueued']);
    await expectQueueError(q.service.events({ jobId: randomUUID() }), 'not_found');
  });
});
