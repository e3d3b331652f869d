// A claimer's scope of job types (a server's --types, later a worker token's allowed types):
// a claim may narrow it, never widen it.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';
import { claimInput } from '../../src/queue/schemas.js';

describe.each(backendsForSuite())('claim scope ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  it('claims only within the scope, narrows on request and refuses types outside it', async () => {
    await q.service.enqueue({ type: 'deploy', priority: 10 });
    await q.service.enqueue({ type: 'build' });
    await q.service.enqueue({ type: 'lint' });
    const scope = { allowedTypes: ['build', 'lint'] };

    const first = await q.service.claim({ workerId: 'w' }, scope);
    expect(first.job?.type).toBe('build');
    const narrowed = await q.service.claim({ workerId: 'w', types: ['lint'] }, scope);
    expect(narrowed.job?.type).toBe('lint');
    await expectQueueError(
      q.service.claim({ workerId: 'w', types: ['deploy'] }, scope),
      'forbidden',
      /deploy/,
    );
    expect((await q.service.claim({ workerId: 'w' }, scope)).job).toBeNull();
    expect((await q.service.list({ status: 'queued' })).jobs.map((j) => j.type)).toEqual(['deploy']);
  });

  it('an empty types list asks for any type: within the scope, or anywhere without one', async () => {
    expect(claimInput.parse({ workerId: 'w', types: [] }).types).toBeUndefined();
    await q.service.enqueue({ type: 'deploy', priority: 10 });
    await q.service.enqueue({ type: 'build' });
    const scoped = await q.service.claim({ workerId: 'w', types: [] }, { allowedTypes: ['build'] });
    expect(scoped.job?.type).toBe('build');
    expect((await q.service.claim({ workerId: 'w', types: [] })).job?.type).toBe('deploy');
  });
});
