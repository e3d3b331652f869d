// Cancellation racing claim, complete, fail and the expiry sweep, each on its own connection, on both
// backends. Any interleaving may win, but every job must end in a state the lifecycle allows and
// its timeline must tell one consistent story (see helpers/timeline.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { eventKinds } from '../helpers/jobs.js';
import { timelineProblems } from '../helpers/timeline.js';
import { isQueueError, type ErrorCode } from '../../src/core/errors.js';
import type { QueueService } from '../../src/queue/service.js';
import type { ClaimAnswer, Job } from '../../src/core/types.js';

const N = 50;
const TYPE = 'race';

type Outcome<T> = { ok: T } | { error: ErrorCode };

/** Resolves to the value or to an expected QueueError code; anything else fails the test. */
const settle = <T>(p: Promise<T>, expected: ErrorCode[] = []): Promise<Outcome<T>> =>
  p.then(
    (ok) => ({ ok }),
    (e: unknown) => {
      if (isQueueError(e) && expected.includes(e.code)) return { error: e.code };
      throw e;
    },
  );

/**
 * Starts two lists of operations interleaved, each after a random pause of a few milliseconds, so
 * that neither side always goes first and the winners vary from job to job and run to run.
 */
const interleave = <T>(xs: (() => Promise<T>)[], ys: (() => Promise<T>)[]): Promise<T>[] => {
  const jittered = (op: () => Promise<T>) => delay(Math.random() * 5).then(op);
  return xs.flatMap((x, i) =>
    i % 2 === 0 ? [jittered(x), jittered(ys[i]!)] : [jittered(ys[i]!), jittered(x)],
  );
};

async function enqueueMany(svc: QueueService): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push((await svc.enqueue({ type: TYPE, payload: { i } })).job.id);
  return ids;
}

async function claimAll(svc: QueueService, leaseSeconds?: number): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (let i = 0; i < N; i++) {
    const a = await svc.claim({
      workerId: 'holder',
      types: [TYPE],
      ...(leaseSeconds ? { leaseSeconds } : {}),
    });
    tokens.set(a.job!.id, a.lease!.token);
  }
  return tokens;
}

/** Every job's timeline is consistent with the lifecycle and with its final state. */
async function expectConsistent(svc: QueueService, ids: string[]): Promise<Map<string, Job>> {
  const jobs = new Map<string, Job>();
  const problems: string[] = [];
  for (const id of ids) {
    const { job } = await svc.get({ jobId: id });
    const { events } = await svc.events({ jobId: id, limit: 1000 });
    jobs.set(id, job);
    for (const p of timelineProblems(job, events)) problems.push(`${id}: ${p}`);
  }
  expect(problems).toEqual([]);
  return jobs;
}

describe.each(backendsForSuite())('races with cancel and pause ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;
  let a: QueueService;
  let b: QueueService;

  beforeEach(async () => {
    clock = new FakeClock();
    q = await openTestQueue(backend, { clock });
    a = q.connect();
    b = q.connect();
  });
  afterEach(async () => {
    await q.close();
  });

  it('cancel vs claim: a claimed job carries the cancel request, an unclaimed one is cancelled', async () => {
    const ids = await enqueueMany(q.service);
    const claims: Promise<ClaimAnswer>[] = [];
    await Promise.all(
      interleave<unknown>(
        // Claims take the oldest job first; cancelling newest first makes the two meet in the middle.
        [...ids].reverse().map((id) => () => a.cancel({ jobId: id })),
        ids.map(() => () => {
          const p = b.claim({ workerId: 'racer', types: [TYPE] });
          claims.push(p);
          return p;
        }),
      ),
    );
    const claimed = (await Promise.all(claims)).flatMap((c) => (c.job ? [c.job.id] : []));
    expect(new Set(claimed).size).toBe(claimed.length);
    const jobs = await expectConsistent(q.service, ids);
    for (const job of jobs.values()) {
      if (claimed.includes(job.id)) {
        // The claim won: the cancel found it running and could only request cancellation.
        expect(job).toMatchObject({ status: 'running', attempt: 1 });
        expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed', 'cancel_requested']);
      } else {
        expect(job).toMatchObject({ status: 'cancelled', attempt: 0 });
        expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'cancelled']);
      }
    }
    expect((await q.service.claim({ workerId: 'late' })).job).toBeNull();
  });

  it('cancel vs complete: every job succeeds; a losing cancel gets job_state_conflict', async () => {
    const ids = await enqueueMany(q.service);
    const tokens = await claimAll(q.service);
    const cancels = new Map<string, Promise<Outcome<unknown>>>();
    await Promise.all(
      interleave<unknown>(
        ids.map((id) => () => {
          const p = settle(a.cancel({ jobId: id }), ['job_state_conflict']);
          cancels.set(id, p);
          return p;
        }),
        ids.map((id) => () => b.complete({ jobId: id, leaseToken: tokens.get(id)! })),
      ),
    );
    const jobs = await expectConsistent(q.service, ids);
    for (const id of ids) {
      expect(jobs.get(id)!.status).toBe('succeeded');
      const kinds = await eventKinds(q.service, id);
      const cancel = await cancels.get(id)!;
      expect(kinds).toEqual(
        'ok' in cancel
          ? ['enqueued', 'claimed', 'cancel_requested', 'completed']
          : ['enqueued', 'claimed', 'completed'],
      );
    }
  });

  it('cancel vs fail: never requeued after a cancel request; every job ends finished', async () => {
    const ids = await enqueueMany(q.service);
    const tokens = await claimAll(q.service);
    const retryable = (i: number) => i % 2 === 0;
    await Promise.all(
      interleave<unknown>(
        ids.map((id) => () => settle(a.cancel({ jobId: id }), ['job_state_conflict'])),
        ids.map(
          (id, i) => () =>
            b.fail({ jobId: id, leaseToken: tokens.get(id)!, error: 'boom', retryable: retryable(i) }),
        ),
      ),
    );
    const jobs = await expectConsistent(q.service, ids);
    for (const [i, id] of ids.entries()) {
      const job = jobs.get(id)!;
      const kinds = await eventKinds(q.service, id);
      expect(job.attempt).toBe(1);
      if (retryable(i)) {
        // Either the cancel came first (then fail finalises it) or fail requeued it and the cancel
        // caught it queued. Both end cancelled; neither is ever claimable again.
        expect(job.status).toBe('cancelled');
        expect([
          ['enqueued', 'claimed', 'cancel_requested', 'cancelled'],
          ['enqueued', 'claimed', 'retry_scheduled', 'cancelled'],
        ]).toContainEqual(kinds);
      } else {
        expect([
          ['enqueued', 'claimed', 'cancel_requested', 'cancelled'],
          ['enqueued', 'claimed', 'failed'],
        ]).toContainEqual(kinds);
      }
    }
    clock.advance(3600);
    expect((await q.service.claim({ workerId: 'late' })).job).toBeNull();
  });

  it('cancel vs cancel from three connections: one request (or one cancellation) per job, never two', async () => {
    const ids = await enqueueMany(q.service);
    for (let i = 0; i < N / 2; i++) await q.service.claim({ workerId: 'holder', types: [TYPE] });
    const c = q.connect();
    await Promise.all(
      ids.flatMap((id) =>
        [a, b, c].map((svc) => delay(Math.random() * 5).then(() => svc.cancel({ jobId: id }))),
      ),
    );
    const jobs = await expectConsistent(q.service, ids);
    for (const [i, id] of ids.entries()) {
      // Claims take the oldest first, so the first half is running.
      expect(await eventKinds(q.service, id)).toEqual(
        i < N / 2 ? ['enqueued', 'claimed', 'cancel_requested'] : ['enqueued', 'cancelled'],
      );
      expect(jobs.get(id)!.status).toBe(i < N / 2 ? 'running' : 'cancelled');
    }
  });

  it('pause vs claim: no answer pairs a job with a paused fleet; no claim started after the pause gets one', async () => {
    await enqueueMany(q.service);
    let pauseReturned = false;
    const pause = delay(Math.random() * 8)
      .then(() => a.control.pause({ mode: 'drain', reason: 'race' }))
      .then(() => (pauseReturned = true));
    const claims = Array.from({ length: N }, (_, i) =>
      delay(Math.random() * 16).then(async () => {
        const startedAfterPause = pauseReturned;
        const answer = await (i % 2 ? b : q.service).claim({ workerId: 'racer', types: [TYPE] });
        return { startedAfterPause, answer };
      }),
    );
    const [results] = await Promise.all([Promise.all(claims), pause]);
    for (const { startedAfterPause, answer } of results) {
      if (answer.job) expect(answer.system.workersPaused).toBe(false);
      if (answer.system.workersPaused) expect(answer).toMatchObject({ job: null, action: 'wait' });
      if (startedAfterPause) expect(answer.job).toBeNull();
    }
    const claimed = results.filter((r) => r.answer.job).length;
    const after = await Promise.all(
      [q.service, a, b].map((s) => s.claim({ workerId: 'late', types: [TYPE] })),
    );
    expect(after.map((x) => x.job)).toEqual([null, null, null]);
    expect((await q.service.control.status()).metrics).toMatchObject({
      running: claimed,
      queued: N - claimed,
    });
  });

  it('cancel vs expiry sweep on several connections: each job is swept once and ends cancelled', async () => {
    const ids = await enqueueMany(q.service);
    await claimAll(q.service, 30);
    clock.advance(31);
    const c = q.connect();
    const sweeps: Promise<number>[] = [];
    await Promise.all(
      interleave<unknown>(
        ids.map((id) => () => a.cancel({ jobId: id })),
        ids.map((_, i) => () => {
          const p = i % 10 === 0 ? [b, c][(i / 10) % 2]!.sweepExpired() : Promise.resolve(0);
          sweeps.push(p);
          return p;
        }),
      ),
    );
    let swept = (await Promise.all(sweeps)).reduce((x, y) => x + y, 0);
    // A sweep that lost its compare-and-set to a cancel request leaves the job to the next sweep.
    for (let n = await q.service.sweepExpired(); n > 0; n = await q.service.sweepExpired()) swept += n;
    expect(swept).toBe(N);
    const jobs = await expectConsistent(q.service, ids);
    for (const id of ids) {
      expect(jobs.get(id)).toMatchObject({ status: 'cancelled', attempt: 1 });
      // Swept first (requeued, then the cancel caught it queued) or cancel-requested first (then
      // the sweep finalised it): never a requeue after the request.
      expect([
        ['enqueued', 'claimed', 'cancel_requested', 'cancelled'],
        ['enqueued', 'claimed', 'lease_expired', 'cancelled'],
      ]).toContainEqual(await eventKinds(q.service, id));
    }
  });
});
