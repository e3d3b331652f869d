// Answer sizes stay bounded: a result is limited like a payload, and list pages carry summaries
// within a byte budget, the cursor continuing after the last job a page holds.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import { LIST_PAGE_BUDGET_BYTES } from '../../src/queue/page.js';
import type { Job, JobPage, JobSummary } from '../../src/core/types.js';

const KIB = 1024;

describe.each(backendsForSuite())('answer size limits ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;
  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()), settings: { payloadLimitBytes: 2 * KIB * KIB } }),
  );

  /** Every page of a listing, following nextCursor to the end. */
  async function pages<J extends JobSummary>(list: (cursor?: string) => Promise<JobPage<J>>): Promise<J[][]> {
    const out: J[][] = [];
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      out.push(page.jobs);
      cursor = page.nextCursor ?? undefined;
      expect(out.length).toBeLessThan(50);
    } while (cursor);
    return out;
  }

  async function enqueueSized(n: number, bytes: number): Promise<Job[]> {
    const jobs: Job[] = [];
    for (let i = 0; i < n; i++) {
      clock.advance(1);
      jobs.push((await q.service.enqueue({ type: 'big', payload: { i, blob: 'x'.repeat(bytes) } })).job);
    }
    return jobs.reverse();
  }

  it('refuses a result over the payload limit with payload_too_large, and the job stays running', async () => {
    const small = q.connect({ settings: { payloadLimitBytes: KIB } });
    const { job, token } = await startJob(small);
    const before = await snapshotTables(q.db);
    const err = await expectQueueError(
      small.complete({ jobId: job.id, leaseToken: token, result: { out: 'x'.repeat(1100) } }),
      'payload_too_large',
      /result is \d+ bytes; the limit is 1024\. Put large content in a file or URL/,
    );
    expect(err.details).toEqual({ bytes: expect.any(Number), limit: 1024 });
    expect(err.details!.bytes).toBeGreaterThan(1100);
    expect(await snapshotTables(q.db)).toEqual(before);
    const done = await small.complete({ jobId: job.id, leaseToken: token, result: { out: 'ok' } });
    expect(done.job).toMatchObject({ status: 'succeeded', result: { out: 'ok' } });
  });

  it('refuses a 5 MiB result at the default limit', async () => {
    const defaults = await q.connect({ settings: { payloadLimitBytes: 256 * KIB } });
    const { job, token } = await startJob(defaults);
    await expectQueueError(
      defaults.complete({ jobId: job.id, leaseToken: token, result: 'r'.repeat(5 * KIB * KIB) }),
      'payload_too_large',
      /the limit is 262144/,
    );
    expect((await defaults.get({ jobId: job.id })).job.status).toBe('running');
  });

  it('lists summaries by default: every field but payload and result; full: true adds them', async () => {
    const { job, token } = await startJob(q.service, { enqueue: { payload: { task: 'p' } } });
    await q.service.complete({ jobId: job.id, leaseToken: token, result: { r: 1 }, resultSummary: 'done' });
    const stored = (await q.service.get({ jobId: job.id })).job;
    const { payload: _p, result: _r, ...summary } = stored;
    const page = await q.service.list();
    expect(page.jobs).toEqual([summary]);
    expect(Object.keys(page.jobs[0]!)).not.toContain('payload');
    expect(Object.keys(page.jobs[0]!)).not.toContain('result');
    expect((await q.service.list({ full: true })).jobs).toEqual([stored]);
  });

  it('ends a page at the byte budget; the cursor continues without loss or repeat', async () => {
    const jobs = await enqueueSized(12, 200 * KIB);
    const full = await pages((cursor) => q.service.list({ full: true, ...(cursor ? { cursor } : {}) }));
    expect(full.map((p) => p.length)).toEqual([5, 5, 2]);
    for (const p of full)
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(LIST_PAGE_BUDGET_BYTES);
    expect(full.flat().map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(full.flat().every((j) => j.payload.blob === 'x'.repeat(200 * KIB))).toBe(true);
    // The limit still applies within the budget, and summaries of the same jobs fit one page.
    const limited = await pages((cursor) =>
      q.service.list({ full: true, limit: 3, ...(cursor ? { cursor } : {}) }),
    );
    expect(limited.map((p) => p.length)).toEqual([3, 3, 3, 3]);
    expect((await q.service.list()).jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
  });

  it('a job larger than the budget gets a page of its own', async () => {
    const [older] = await enqueueSized(1, 10);
    const [huge] = await enqueueSized(1, 1536 * KIB);
    const [newer] = await enqueueSized(1, 10);
    const full = await pages((cursor) => q.service.list({ full: true, ...(cursor ? { cursor } : {}) }));
    expect(full.map((p) => p.map((j) => j.id))).toEqual([[newer!.id], [huge!.id], [older!.id]]);
  });
});
