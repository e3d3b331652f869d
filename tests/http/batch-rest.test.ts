// The batched claim and completion over REST through the real server, on both backends: what a
// worker script sees, what a bad call is told, and that a token decides who claims (the role
// matrix is auth-rest.test.ts).
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

describe.each(backendsForSuite())('REST batched claim and completion ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  it('claims a batch, completes it in one call, and answers wait when nothing is left', async () => {
    for (let i = 0; i < 3; i++) await h.call('POST', '/api/queue/jobs', { type: 'build', payload: { i } });
    const claimed = await h.call('POST', '/api/queue/jobs/claim-batch', { workerId: 'w', limit: 5 });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ action: 'work', system: { workersPaused: false } });
    const jobs = claimed.body.jobs as { job: { id: string }; lease: { token: string } }[];
    expect(jobs).toHaveLength(3);
    const done = await h.call('POST', '/api/queue/jobs/complete-batch', {
      items: [
        ...jobs.map(({ job, lease }) => ({ jobId: job.id, leaseToken: lease.token, result: { ok: true } })),
        { jobId: jobs[0]!.job.id, leaseToken: 'not-the-token' },
      ],
    });
    expect(done.status).toBe(200);
    const results = done.body.results as Record<string, unknown>[];
    expect(results.slice(0, 3)).toEqual(
      jobs.map(({ job }) => ({ job: expect.objectContaining({ id: job.id, status: 'succeeded' }) })),
    );
    // One item's refusal is its own; the call still succeeds for the others.
    expect(results[3]).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    const empty = await h.call('POST', '/api/queue/jobs/claim-batch', { workerId: 'w', limit: 5 });
    expect(empty.body).toMatchObject({ jobs: [], action: 'wait' });
    expect(empty.body.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('refuses a batch without a limit, over 100, or with no items, saying what to send', async () => {
    for (const body of [{ workerId: 'w' }, { workerId: 'w', limit: 101 }]) {
      const res = await h.call('POST', '/api/queue/jobs/claim-batch', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/limit/);
    }
    const none = await h.call('POST', '/api/queue/jobs/complete-batch', { items: [] });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/items/);
  });
});
