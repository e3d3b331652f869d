// Dependencies over REST on both backends: POST /api/queue/jobs/graph (201, all or nothing),
// dependsOn on a single enqueue (409 for an ended dependency), GET …?dependencies=true.
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

const JOBS = '/api/queue/jobs';

describe.each(backendsForSuite())('REST dependencies ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  it('enqueues a graph, refuses a cycle with 400 writing nothing, gets dependencies', async () => {
    const cycle = await h.call('POST', `${JOBS}/graph`, {
      jobs: [
        { ref: 'a', type: 'x', dependsOn: ['a'] },
        { ref: 'b', type: 'x' },
      ],
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error).toMatchObject({ code: 'invalid_argument', details: { cycle: ['a', 'a'] } });
    expect((await h.call('GET', JOBS)).body.jobs).toEqual([]);

    const graph = await h.call('POST', `${JOBS}/graph`, {
      jobs: [
        { ref: 'build', type: 'build' },
        { ref: 'ship', type: 'ship', dependsOn: ['build'] },
      ],
    });
    expect(graph.status).toBe(201);
    const [build, ship] = graph.body.jobs as {
      ref: string;
      job: { id: string; pendingDependencies: number };
    }[];
    expect([build!.ref, ship!.ref, ship!.job.pendingDependencies]).toEqual(['build', 'ship', 1]);

    const got = await h.call('GET', `${JOBS}/${ship!.job.id}?dependencies=true`);
    expect(got.status).toBe(200);
    expect(got.body.dependencies).toEqual([
      { id: build!.job.id, type: 'build', status: 'queued', resultSummary: null, result: null },
    ]);
    expect((await h.call('GET', `${JOBS}/${ship!.job.id}`)).body.dependencies).toBeUndefined();
  });

  it('a single enqueue depending on a cancelled job is 409 naming it', async () => {
    const a = await h.call('POST', JOBS, { type: 'build' });
    await h.call('POST', `${JOBS}/${a.body.job.id}/cancel`, {});
    const r = await h.call('POST', JOBS, { type: 'ship', dependsOn: [a.body.job.id] });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: 'job_state_conflict',
      message: expect.stringContaining(a.body.job.id),
    });
  });
});
