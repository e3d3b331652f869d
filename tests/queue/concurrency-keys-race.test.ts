// The proof of concurrency keys under concurrency (SPEC §16): many claimers race for few keys and
// no key ever has more running jobs than its limit, and every job runs exactly once. On PostgreSQL
// two claimers can lock two different jobs of one key and each count the key in a snapshot without
// the other's claim; the pick's per-key advisory lock and fresh count (store/claim-sql.ts) are what
// stop both from taking the last slot. On SQLite one writer at a time does it.
//
// Each claimer runs on its own connections (a store of its own, as a separate process would) and
// loops claim → read the running jobs per key from the database while it holds its job → hold a
// few ms → complete. A second claim of a full key would be running alongside the first while both
// hold, so the count read by the one that took it shows it.
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { assertBuilt, cliEnv } from '../helpers/bin.js';
import { queryNumber, withRawConnection } from '../helpers/sql.js';
import type { QueueService } from '../../src/queue/service.js';
import { KEY_LOCK_SPACE } from '../../src/store/claim-sql.js';

const CLAIMER = fileURLToPath(new URL('../fixtures/keyed-claimer.mjs', import.meta.url));

/** Few keys, limits 1 and 2, many jobs each: every claim of a key contends for its last slot. */
const LIMITS: Record<string, number> = { 'repo:a': 1, 'repo:b': 1, 'repo:c/x': 2, 'repo:d/y': 2 };
const JOBS_PER_KEY = 40;
/** Jobs without a key run alongside, unlimited. */
const FREE_JOBS = 20;

/** Sets the limits and enqueues the jobs, interleaving keys as producers would. */
async function prepare(service: QueueService): Promise<string[]> {
  for (const [key, max] of Object.entries(LIMITS)) await service.limits.set({ key, max });
  const ids: string[] = [];
  for (let i = 0; i < JOBS_PER_KEY; i++) {
    for (const key of Object.keys(LIMITS)) {
      ids.push((await service.enqueue({ type: 'race', concurrencyKey: key, payload: { i } })).job.id);
    }
    if (i < FREE_JOBS) ids.push((await service.enqueue({ type: 'race', payload: { i } })).job.id);
  }
  return ids;
}

interface Tally {
  claimed: string[];
  /** The most running jobs per key seen by any claimer while it held a job of that key. */
  maxRunning: Record<string, number>;
}

/**
 * Every job ran exactly once and succeeded on its first attempt; no key went over its limit. With
 * `reached`, every key was also seen at its limit: the race really filled the keys.
 */
async function expectRaceHeld(q: TestQueue, ids: string[], tally: Tally, reached: boolean): Promise<void> {
  for (const [key, max] of Object.entries(LIMITS)) {
    expect(tally.maxRunning[key], key).toBeLessThanOrEqual(max);
    if (reached) expect(tally.maxRunning[key], key).toBe(max);
  }
  expect(tally.claimed).toHaveLength(ids.length);
  expect([...tally.claimed].sort()).toEqual([...ids].sort());
  expect(
    await queryNumber(q.db, `select count(*) from agent_jobs where status = 'succeeded' and attempt = 1`),
  ).toBe(ids.length);
  expect(await queryNumber(q.db, `select count(*) from agent_job_events where kind = 'claimed'`)).toBe(
    ids.length,
  );
}

/** One claimer's loop, until every job has run (`left` counts what has not). */
async function claimLoop(svc: QueueService, workerId: string, left: { n: number }, tally: Tally) {
  while (left.n > 0) {
    // A short long-poll: a key getting room (or the last job ending) wakes it.
    const { job, lease } = await svc.claim({ workerId, waitSeconds: 1 });
    if (!job) continue;
    tally.claimed.push(job.id);
    const key = job.concurrencyKey;
    if (key !== null) {
      const running = (await svc.limits.list()).keys.find((k) => k.key === key)?.running ?? 0;
      tally.maxRunning[key] = Math.max(tally.maxRunning[key] ?? 0, running);
    }
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    await svc.complete({ jobId: job.id, leaseToken: lease!.token });
    left.n--;
  }
}

/** A batched claimer's loop: claimBatch of up to 5, the count per key read while held, completeBatch. */
async function batchLoop(svc: QueueService, workerId: string, left: { n: number }, tally: Tally) {
  while (left.n > 0) {
    const { jobs } = await svc.claimBatch({ workerId, limit: 5, waitSeconds: 1 });
    if (jobs.length === 0) continue;
    const counts = (await svc.limits.list()).keys;
    for (const { job } of jobs) {
      tally.claimed.push(job.id);
      const key = job.concurrencyKey;
      if (key === null) continue;
      const running = counts.find((k) => k.key === key)?.running ?? 0;
      tally.maxRunning[key] = Math.max(tally.maxRunning[key] ?? 0, running);
    }
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    const { results } = await svc.completeBatch({
      items: jobs.map(({ job, lease }) => ({ jobId: job.id, leaseToken: lease.token })),
    });
    for (const r of results) expect(r).toMatchObject({ job: { status: 'succeeded' } });
    left.n -= jobs.length;
  }
}

describe.each(backendsForSuite())('concurrency-key limits under a race ($name)', (backend) => {
  let q: TestQueue | undefined;
  const children: ResultPromise[] = [];
  afterEach(async () => {
    // A child still running here means the test failed early: do not leave it behind.
    for (const child of children.splice(0)) {
      child.kill();
      await child.catch(() => undefined);
    }
    await q?.close();
    q = undefined;
  });

  it('8 claimers on separate connections never exceed a key limit', { timeout: 120_000 }, async () => {
    q = await openTestQueue(backend);
    const ids = await prepare(q.service);
    const claimers = Array.from({ length: 8 }, () => q!.connect());
    const tally: Tally = { claimed: [], maxRunning: {} };
    const left = { n: ids.length };
    await Promise.all(claimers.map((svc, i) => claimLoop(svc, `claimer-${i}`, left, tally)));
    await expectRaceHeld(q, ids, tally, true);
  });

  it(
    '4 batched and 4 single claimers on separate connections never exceed a key limit',
    { timeout: 120_000 },
    async () => {
      q = await openTestQueue(backend);
      const ids = await prepare(q.service);
      const claimers = Array.from({ length: 8 }, () => q!.connect());
      const tally: Tally = { claimed: [], maxRunning: {} };
      const left = { n: ids.length };
      await Promise.all(
        claimers.map((svc, i) =>
          i % 2 === 0
            ? batchLoop(svc, `batch-${i}`, left, tally)
            : claimLoop(svc, `single-${i}`, left, tally),
        ),
      );
      await expectRaceHeld(q, ids, tally, false);
    },
  );

  it('3 processes on one database never exceed a key limit', { timeout: 120_000 }, async () => {
    // The child processes run the built code (dist/).
    assertBuilt();
    q = await openTestQueue(backend);
    const ids = await prepare(q.service);
    const env = cliEnv(q.db.env);
    const procs = Array.from({ length: 3 }, (_, i) => {
      const child = execa(process.execPath, [CLAIMER, `proc-${i}`], { env, extendEnv: false, reject: false });
      children.push(child);
      return child;
    });
    // Start them together: each says "ready" once connected, then all get the go (stdin closes).
    await Promise.all(
      procs.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const onData = (chunk: Buffer) => {
              if (!chunk.toString().includes('ready')) return;
              child.stdout!.off('data', onData);
              resolve();
            };
            child.stdout!.on('data', onData);
            void child.then((r) =>
              reject(new Error(`keyed-claimer exited early (${r.exitCode}): ${String(r.stderr)}`)),
            );
          }),
      ),
    );
    for (const child of procs) child.stdin!.end();
    const results = await Promise.all(procs);
    const tally: Tally = { claimed: [], maxRunning: {} };
    let sharing = 0;
    for (const r of results) {
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const own = JSON.parse(String(r.stdout).trim().split('\n').at(-1)!) as Tally;
      tally.claimed.push(...own.claimed);
      if (own.claimed.length > 0) sharing++;
      for (const [key, n] of Object.entries(own.maxRunning)) {
        tally.maxRunning[key] = Math.max(tally.maxRunning[key] ?? 0, n);
      }
    }
    // Processes really ran against each other. Not all three: with SQLite's group commit two of them
    // can drain the jobs before a third, slow to start on a loaded machine, takes its first.
    expect(sharing).toBeGreaterThanOrEqual(2);
    // Six claimers over three processes need not fill a limit-2 key at the moment one counts it.
    await expectRaceHeld(q, ids, tally, false);
  });
});

// The deadlock the race once hit, made to happen on purpose. A claim that finds its key full only
// after taking the key's lock (another claim of it committed meanwhile) still holds that lock
// (transaction-scoped locks cannot be let go) while it looks at the next job. Had it waited there
// for a second key, held by someone waiting for the first, PostgreSQL would abort one of them
// ("deadlock detected"). The pick only tries later keys: nobody waits while holding a key.
describe.skipIf(!BACKENDS.find((b) => b.name === 'postgres')!.available)(
  'concurrency-key locks (postgres)',
  () => {
    let q: TestQueue | undefined;
    afterEach(async () => {
      await q?.close();
      q = undefined;
    });

    /** Two raw connections to the test schema, each for its own transaction. */
    const both = <T>(db: TestQueue['db'], fn: (x: pg.Client, y: pg.Client) => Promise<T>) =>
      withRawConnection(db, {
        sqlite: () => undefined as never,
        postgres: (x) =>
          withRawConnection(db, { sqlite: () => undefined as never, postgres: (y) => fn(x, y) }),
      });
    const lock = (c: pg.Client, key: string) =>
      c.query('select pg_advisory_xact_lock($1, hashtext($2))', [KEY_LOCK_SPACE, key]);
    /** Resolves once some session waits for the lock of `key`. */
    async function untilWaitingFor(c: pg.Client, key: string): Promise<void> {
      const waiting = `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted
        and classid::bigint = $1 and objid::bigint = (hashtext($2)::bigint & 4294967295)`;
      for (let i = 0; (await c.query<{ n: number }>(waiting, [KEY_LOCK_SPACE, key])).rows[0]!.n === 0; i++) {
        if (i > 1000) throw new Error(`nobody waited for the lock of key "${key}"`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it('a claim that found its key full never waits for another key while holding it', async () => {
      q = await openTestQueue(BACKENDS.find((b) => b.name === 'postgres')!);
      const svc = q.service;
      const { job: k1 } = await svc.enqueue({ type: 't', concurrencyKey: 'k', priority: 10 });
      const { job: k2 } = await svc.enqueue({ type: 't', concurrencyKey: 'k', priority: 10 });
      const { job: l1 } = await svc.enqueue({ type: 't', concurrencyKey: 'l' });
      await both(q.db, async (x, y) => {
        // x claims k2 of key "k" by hand, as a claim in flight would: the lock, then the row.
        await x.query('begin');
        await lock(x, 'k');
        await x.query(`update agent_jobs set status = 'running' where id = $1`, [k2.id]);
        // The claim sees "k" with room, picks k1 and waits for the lock of "k".
        const claim = svc.claim({ workerId: 'a' });
        // Awaited below; a failure meanwhile must not count as unhandled.
        claim.catch(() => undefined);
        await untilWaitingFor(x, 'k');
        // y holds key "l"; x commits: the claim takes the lock of "k", finds it full, and looks at l1.
        await y.query('begin');
        await lock(y, 'l');
        await x.query('commit');
        await untilWaitingFor(y, 'l');
        // y now asks for "k": the claim must not be holding it while it waits for "l".
        await lock(y, 'k');
        await y.query('commit');
        expect((await claim).job?.id).toBe(l1.id);
        expect((await svc.get({ jobId: k1.id })).job.status).toBe('queued');
      });
    });
  },
);
