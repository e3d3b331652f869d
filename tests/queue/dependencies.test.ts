// Job dependencies (SPEC §16, docs/dependencies.md) on both backends: a job runs only after every
// dependency succeeded; an unsuccessful ending cancels its dependents transitively in the same
// transaction; unknown ids, ended dependencies and cycles are refused with nothing written; a
// graph is enqueued in one call; get shows the dependencies' results; retry recounts.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import { expectQueueError } from '../helpers/errors.js';
import type { QueueService } from '../../src/queue/service.js';
import type { Job } from '../../src/core/types.js';

describe.each(backendsForSuite())('job dependencies ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;

  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );

  const claimId = async (svc: QueueService = q.service) => {
    const a = await svc.claim({ workerId: 'w' });
    return a.job ? { id: a.job.id, token: a.lease!.token } : null;
  };
  const getJob = async (id: string) => (await q.service.get({ jobId: id })).job;
  const allJobs = async () => (await q.service.list({ limit: 200 })).jobs;

  it('runs a dependent only after its dependency succeeded, and then wakes it', async () => {
    const { job: a } = await q.service.enqueue({ type: 'build' });
    // Higher priority, but blocked: the claim must pass it over.
    const { job: b } = await q.service.enqueue({ type: 'test', priority: 10, dependsOn: [a.id, a.id] });
    expect(b.pendingDependencies).toBe(1);
    const [enqueued] = (await q.service.events({ jobId: b.id })).events;
    expect(enqueued!.data).toMatchObject({ dependsOn: [a.id] });

    const first = await claimId();
    expect(first?.id).toBe(a.id);
    expect(await claimId()).toBeNull();
    const waiting = q.service.claim({ workerId: 'w2', waitSeconds: 5 });
    await q.whenIdle();
    clock.advance(1);
    await q.service.complete({ jobId: a.id, leaseToken: first!.token, result: { artifact: 'x.tgz' } });
    expect((await waiting).job?.id).toBe(b.id);
    expect(await eventKinds(q.service, b.id)).toEqual(['enqueued', 'dependencies_met', 'claimed']);
  });

  it('counts a dependency that already succeeded as met', async () => {
    const { job: a, token } = await startJob(q.service, { type: 'build' });
    await q.service.complete({ jobId: a.id, leaseToken: token });
    const { job: b } = await q.service.enqueue({ type: 'test', dependsOn: [a.id] });
    expect(b.pendingDependencies).toBe(0);
    expect((await claimId())?.id).toBe(b.id);
  });

  it('waits for every dependency, whatever order they succeed in', async () => {
    const { job: a } = await q.service.enqueue({ type: 'x' });
    const { job: b } = await q.service.enqueue({ type: 'x' });
    const { job: c } = await q.service.enqueue({ type: 'y', dependsOn: [a.id, b.id] });
    const first = await claimId();
    const second = await claimId();
    await q.service.complete({ jobId: second!.id, leaseToken: second!.token });
    expect((await getJob(c.id)).pendingDependencies).toBe(1);
    expect(await claimId()).toBeNull();
    await q.service.complete({ jobId: first!.id, leaseToken: first!.token });
    expect((await claimId())?.id).toBe(c.id);
  });

  const endings: [string, (svc: QueueService, a: Job) => Promise<unknown>, string][] = [
    [
      'failed',
      async (svc) => {
        const held = await claimId(svc);
        await svc.fail({ jobId: held!.id, leaseToken: held!.token, error: 'boom', retryable: false });
      },
      'failed',
    ],
    [
      'dead_letter',
      async (svc) => {
        const held = await claimId(svc);
        await svc.fail({ jobId: held!.id, leaseToken: held!.token, error: 'boom' });
      },
      'dead_letter',
    ],
    ['cancelled (operator, queued)', (svc, a) => svc.cancel({ jobId: a.id, reason: 'no' }), 'cancelled'],
    [
      'cancelled (acknowledged by the holder)',
      async (svc, a) => {
        const held = await claimId(svc);
        await svc.cancel({ jobId: a.id });
        await svc.ackCancel({ jobId: held!.id, leaseToken: held!.token });
      },
      'cancelled',
    ],
    [
      'dead_letter (lease expired)',
      async (svc) => {
        await svc.claim({ workerId: 'w', leaseSeconds: 5 });
        clock.advance(10);
        expect(await svc.sweepExpired()).toBe(1);
      },
      'dead_letter',
    ],
  ];

  it.each(endings)(
    'an ending as %s cancels every dependent, transitively, naming it',
    async (_n, end, status) => {
      const { job: a } = await q.service.enqueue({ type: 'build', maxAttempts: 1 });
      const { job: b } = await q.service.enqueue({ type: 'test', dependsOn: [a.id] });
      const { job: c } = await q.service.enqueue({ type: 'review', dependsOn: [b.id] });
      const { job: other } = await q.service.enqueue({ type: 'other', delaySeconds: 3600 });
      clock.advance(2);
      await end(q.service, a);
      expect((await getJob(a.id)).status).toBe(status);
      for (const id of [b.id, c.id]) {
        const job = await getJob(id);
        expect(job).toMatchObject({
          status: 'cancelled',
          finishedAt: clock.now().toISOString(),
          cancelReason: `dependency ${a.id} ended ${status}`,
          errorMessage: `dependency ${a.id} ended ${status}`,
        });
        const { events } = await q.service.events({ jobId: id });
        expect(events.map((e) => e.kind)).toEqual(['enqueued', 'cancelled']);
        expect(events[1]!.data).toEqual({ dependency: a.id, dependencyStatus: status });
        expect(events[1]!.message).toContain(a.id);
      }
      // A job outside the graph is left alone.
      expect((await getJob(other.id)).status).toBe('queued');
    },
  );

  it('wakes whoever awaits a dependent cancelled by propagation', async () => {
    const { job: a } = await q.service.enqueue({ type: 'build' });
    const { job: b } = await q.service.enqueue({ type: 'test', dependsOn: [a.id] });
    const waiting = q.service.wait({ jobId: b.id, waitSeconds: 20 });
    await q.whenIdle();
    await q.service.cancel({ jobId: a.id });
    const answer = await waiting;
    expect(answer.done).toBe(true);
    expect(answer.job.status).toBe('cancelled');
  });

  describe('refusals write nothing', () => {
    it('an unknown or malformed id is invalid_argument naming it', async () => {
      const { job: a } = await q.service.enqueue({ type: 'build' });
      const unknown = '01890000-0000-7000-8000-000000000000';
      await expectQueueError(
        q.service.enqueue({ type: 'test', dependsOn: [a.id, unknown] }),
        'invalid_argument',
        unknown,
      );
      await expectQueueError(
        q.service.enqueue({ type: 'test', dependsOn: ['nope'] }),
        'invalid_argument',
        'nope',
      );
      expect((await allJobs()).map((j) => j.id)).toEqual([a.id]);
      // The known dependency was not left counting a dependent: it still ends in one statement.
      expect((await q.store.jobGet({ id: a.id }))!.dependents).toBe(0);
    });

    it('a dependency that already ended without success is job_state_conflict naming it', async () => {
      const { job: a } = await q.service.enqueue({ type: 'build' });
      await q.service.cancel({ jobId: a.id });
      const err = await expectQueueError(
        q.service.enqueue({ type: 'test', dependsOn: [a.id] }),
        'job_state_conflict',
        new RegExp(`${a.id} \\(cancelled\\).*Retry that job first`),
      );
      expect(err.details).toEqual({ dependencies: [{ id: a.id, status: 'cancelled' }] });
      expect(await allJobs()).toHaveLength(1);
    });

    it('at most 32 dependencies', async () => {
      const ids = Array.from(
        { length: 33 },
        (_, i) => `01890000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      );
      await expectQueueError(
        q.service.enqueue({ type: 't', dependsOn: ids }),
        'invalid_argument',
        'dependsOn',
      );
    });

    it.each([
      [
        'a cycle',
        [
          { ref: 'a', dependsOn: ['b'] },
          { ref: 'b', dependsOn: ['c'] },
          { ref: 'c', dependsOn: ['a'] },
        ],
        /cycle \(a → b → c → a\)/,
      ],
      ['a job depending on itself', [{ ref: 'a' }, { ref: 'b', dependsOn: ['b'] }], /cycle \(b → b\)/],
      ['an unknown ref', [{ ref: 'a', dependsOn: ['zz'] }], /"zz", which is neither a ref/],
      ['two jobs with one ref', [{ ref: 'a' }, { ref: 'a' }], /ref "a" names two jobs/],
      [
        'an unknown id',
        [{ ref: 'a' }, { ref: 'b', dependsOn: ['a', '01890000-0000-7000-8000-000000000000'] }],
        /no job/,
      ],
    ])('a graph with %s is invalid_argument', async (_name, jobs, message) => {
      await expectQueueError(
        q.service.enqueueGraph({ jobs: jobs.map((j) => ({ type: 'step', ...j })) }),
        'invalid_argument',
        message,
      );
      expect(await allJobs()).toEqual([]);
    });
  });

  it('a deduplicated enqueue answers the unfinished job and ignores its dependsOn', async () => {
    const { job: a } = await q.service.enqueue({ type: 'build' });
    const { job: held } = await q.service.enqueue({ type: 'test', dedupeKey: 'k' });
    const again = await q.service.enqueue({ type: 'test', dedupeKey: 'k', dependsOn: [a.id] });
    expect(again).toMatchObject({ deduplicated: true, job: { id: held.id, pendingDependencies: 0 } });
    expect((await q.store.jobGet({ id: a.id }))!.dependents).toBe(0);
  });

  it('a graph (implement → test → review) is enqueued in one call and runs in order', async () => {
    const { job: spec } = await q.service.enqueue({ type: 'spec' });
    const held = await claimId();
    await q.service.complete({ jobId: held!.id, leaseToken: held!.token, result: { doc: 'spec.md' } });
    const { jobs } = await q.service.enqueueGraph({
      jobs: [
        { ref: 'review', type: 'review', dependsOn: ['test', 'implement'], priority: 9 },
        { ref: 'implement', type: 'implement', payload: { task: 'x' }, dependsOn: [spec.id.toUpperCase()] },
        { ref: 'test', type: 'test', dependsOn: ['implement'], priority: 5 },
      ],
    });
    expect(jobs.map((j) => [j.ref, j.job.type, j.job.pendingDependencies, j.deduplicated])).toEqual([
      ['review', 'review', 2, false],
      ['implement', 'implement', 0, false],
      ['test', 'test', 1, false],
    ]);
    const id = Object.fromEntries(jobs.map((j) => [j.ref, j.job.id]));
    const ran: string[] = [];
    for (;;) {
      const got = await claimId();
      if (!got) break;
      const job = await getJob(got.id);
      ran.push(job.type);
      await q.service.complete({ jobId: got.id, leaseToken: got.token, result: { by: job.type } });
    }
    expect(ran).toEqual(['implement', 'test', 'review']);

    const { dependencies } = await q.service.get({ jobId: id.review!, dependencies: true });
    expect(dependencies).toEqual(
      expect.arrayContaining([
        {
          id: id.implement,
          type: 'implement',
          status: 'succeeded',
          resultSummary: null,
          result: { by: 'implement' },
        },
        { id: id.test, type: 'test', status: 'succeeded', resultSummary: null, result: { by: 'test' } },
      ]),
    );
    expect(dependencies).toHaveLength(2);
    expect((await q.service.get({ jobId: id.implement! })).dependencies).toBeUndefined();
  });

  it('a graph job deduplicated stands in for itself in the dependsOn of the others', async () => {
    const { job: existing } = await q.service.enqueue({ type: 'build', dedupeKey: 'b1' });
    const { jobs } = await q.service.enqueueGraph({
      jobs: [
        { ref: 'build', type: 'build', dedupeKey: 'b1' },
        { ref: 'test', type: 'test', dependsOn: ['build'] },
      ],
    });
    expect(jobs[0]).toMatchObject({ deduplicated: true, job: { id: existing.id } });
    const { dependencies } = await q.service.get({ jobId: jobs[1]!.job.id, dependencies: true });
    expect(dependencies!.map((d) => d.id)).toEqual([existing.id]);
  });

  it('get shows a pruned dependency as its id only; prune deletes the edges of the jobs it deletes', async () => {
    const { job: a, token } = await startJob(q.service, { type: 'build' });
    await q.service.complete({ jobId: a.id, leaseToken: token });
    const { job: b } = await q.service.enqueue({
      type: 'test',
      dependsOn: [a.id],
      delaySeconds: 40 * 86_400,
    });
    clock.advance(20 * 86_400);
    expect(await q.service.pruneFinished(14)).toBe(1);
    const { dependencies } = await q.service.get({ jobId: b.id, dependencies: true });
    expect(dependencies).toEqual([{ id: a.id, type: null, status: null, resultSummary: null, result: null }]);
    await q.service.cancel({ jobId: b.id });
    clock.advance(20 * 86_400);
    expect(await q.service.pruneFinished(14)).toBe(1);
    expect(await q.store.jobDependencies({ id: b.id })).toEqual([]);
  });

  it('retry: a dependent waits for its dependency to be retried first, then runs after it', async () => {
    const { job: a } = await q.service.enqueue({ type: 'build' });
    const { job: b } = await q.service.enqueue({ type: 'test', dependsOn: [a.id] });
    const held = await claimId();
    await q.service.fail({ jobId: held!.id, leaseToken: held!.token, error: 'boom', retryable: false });
    expect((await getJob(b.id)).status).toBe('cancelled');

    await expectQueueError(
      q.service.retry({ jobId: b.id }),
      'job_state_conflict',
      new RegExp(`retry dependency ${a.id} first`),
    );
    await q.service.retry({ jobId: a.id });
    const { job: retried } = await q.service.retry({ jobId: b.id });
    expect(retried).toMatchObject({
      status: 'queued',
      pendingDependencies: 1,
      cancelReason: null,
      cancelRequestedAt: null,
    });
    const again = await claimId();
    expect(again?.id).toBe(a.id);
    expect(await claimId()).toBeNull();
    await q.service.complete({ jobId: a.id, leaseToken: again!.token });
    expect((await claimId())?.id).toBe(b.id);
  });

  // An ending on one connection while a dependent is enqueued on another: on PostgreSQL the ending's
  // statement may wait for the enqueue's row lock on the dependency, with a snapshot from before the
  // dependent existed. Whatever the interleaving, the dependent ends up claimable exactly when the
  // dependency succeeded, cancelled (or refused) exactly when it failed; never stuck.
  it.runIf(backend.name === 'postgres')(
    'a dependent enqueued while its dependency ends is never stuck',
    async () => {
      const producer = q.connect();
      const seen = { succeededFirst: 0, enqueuedFirst: 0, failedFirst: 0, cancelledAfter: 0 };
      for (let round = 0; round < 60; round++) {
        const succeeds = round % 2 === 0;
        const { job: x, token } = await startJob(q.service, { type: 'race' });
        const enqueued = producer.enqueue({ type: 'dep', dependsOn: [x.id] });
        // Staggered so that the ending lands before, inside and after the enqueue's transaction.
        await sleep(round % 6);
        const end = succeeds
          ? q.service.complete({ jobId: x.id, leaseToken: token })
          : q.service.fail({ jobId: x.id, leaseToken: token, error: 'boom', retryable: false });
        const [enq, ended] = await Promise.allSettled([enqueued, end]);
        expect(ended.status).toBe('fulfilled');
        if (enq.status === 'rejected') {
          expect(succeeds).toBe(false);
          expect(enq.reason).toMatchObject({ code: 'job_state_conflict' });
          seen.failedFirst++;
          continue;
        }
        const y = (await q.store.jobGet({ id: enq.value.job.id }))!;
        const kinds = await eventKinds(q.service, y.id);
        if (succeeds) {
          expect(y).toMatchObject({ status: 'queued', pendingDependencies: 0 });
          if (kinds.includes('dependencies_met')) seen.enqueuedFirst++;
          else seen.succeededFirst++;
          await q.service.cancel({ jobId: y.id });
        } else {
          expect(y.status).toBe('cancelled');
          expect(kinds).toEqual(['enqueued', 'cancelled']);
          seen.cancelledAfter++;
        }
      }
      console.log('dependency race interleavings', seen);
      expect(seen.succeededFirst + seen.enqueuedFirst).toBe(30);
    },
  );

  it('retry of a cancelled job that was not waiting for dependencies is still refused', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    await q.service.cancel({ jobId: job.id });
    await expectQueueError(q.service.retry({ jobId: job.id }), 'job_state_conflict', 'cancelled');
  });
});
