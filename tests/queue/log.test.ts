// log: a lease holder's output lines become one timeline event; nobody else can write there.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';
import { startJob } from '../helpers/jobs.js';

describe.each(backendsForSuite())('log ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('appends the holder output as one event per call, stderr as a warning', async () => {
    const { job, token } = await startJob(q.service);
    await q.service.log({
      jobId: job.id,
      leaseToken: token,
      stream: 'stdout',
      lines: ['compiling', 'linking'],
    });
    await q.service.log({ jobId: job.id, leaseToken: token, stream: 'stderr', lines: ['warning: x'] });
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.filter((e) => e.kind === 'log').map((e) => [e.level, e.message, e.data])).toEqual([
      ['info', 'compiling\nlinking', { stream: 'stdout', lines: 2 }],
      ['warn', 'warning: x', { stream: 'stderr', lines: 1 }],
    ]);
    expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
  });

  it('refuses a stale token and writes nothing', async () => {
    const { job, token } = await startJob(q.service);
    await q.service.complete({ jobId: job.id, leaseToken: token });
    await expectQueueError(
      q.service.log({ jobId: job.id, leaseToken: token, stream: 'stdout', lines: ['late'] }),
      'lease_lost',
      /no longer yours/,
    );
    const { events } = await q.service.events({ jobId: job.id });
    expect(events.map((e) => e.kind)).not.toContain('log');
  });
});
