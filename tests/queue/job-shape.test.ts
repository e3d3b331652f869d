// The public Job is derived from the record: every field but the private ones, times as strings.
// A field added to the record shows up in every answer; the lease token never does.
import { describe, expect, it } from 'vitest';
import { PRIVATE_JOB_FIELDS } from '../../src/core/job.js';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { startJob } from '../helpers/jobs.js';

describe.each(backendsForSuite())('job shape ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('answers every public field of the record and no private one', async () => {
    const { job, token } = await startJob(q.service);
    const beat = await q.service.heartbeat({ jobId: job.id, leaseToken: token, message: 'half way' });
    const record = await q.store.jobGet({ id: job.id });
    const publicFields = Object.keys(record!).filter(
      (f) => !(PRIVATE_JOB_FIELDS as readonly string[]).includes(f),
    );

    for (const answer of [job, beat.job, (await q.service.get({ jobId: job.id })).job]) {
      expect(Object.keys(answer).sort()).toEqual([...publicFields].sort());
      expect(JSON.stringify(answer)).not.toContain(token);
    }
    expect(beat.job.leaseExpiresAt).toBe(record!.leaseExpiresAt!.toISOString());
    expect(beat.job.progressMessage).toBe('half way');
  });
});
