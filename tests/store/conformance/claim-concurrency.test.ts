// jobClaim under concurrent connections: several stores, each with its own connections (as separate
// processes have), claim from one queue at once. Every job is taken exactly once and none is left
// behind (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer at a time).
import { expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryNumber, withRawConnection } from '../../helpers/sql.js';
import {
  at,
  claimAll,
  claimParams,
  describeEachStore,
  ENQUEUED,
  insertJob,
  newJob,
  skipped,
  T0,
} from './each-store.js';
import type { Store } from '../../../src/store/store.js';

const STORES = 6;
const JOBS = 300;

describeEachStore('store: concurrent claims', (s) => {
  it(
    `${STORES} stores claiming ${JOBS} jobs at once take each exactly once`,
    { timeout: 60_000 },
    async () => {
      const ids = new Set<string>();
      for (let i = 0; i < JOBS; i++) {
        const { job } = await s.store.jobInsert({ job: newJob({ type: 'load' }), event: ENQUEUED });
        ids.add(job.id);
      }
      const claimers = Array.from({ length: STORES }, () => s.open());
      // Open every connection first, so that the claims really start together.
      await Promise.all(claimers.map((c) => c.connect()));

      const drain = async (store: Store, n: number) => {
        const got: { id: string; token: string }[] = [];
        for (;;) {
          const token = `claimer-${n}-${got.length}`;
          const { job } = await store.jobClaim(claimParams({ workerId: `claimer-${n}`, leaseToken: token }));
          if (!job) return got;
          // The row the claim returned is the row it wrote: this claimer's lease, first attempt.
          expect(job).toMatchObject({ status: 'running', claimedBy: `claimer-${n}`, leaseToken: token });
          got.push({ id: job.id, token });
        }
      };
      const perClaimer = await Promise.all(claimers.map((c, n) => drain(c, n)));
      const claimed = perClaimer.flat().map((c) => c.id);

      expect(claimed).toHaveLength(JOBS);
      expect(new Set(claimed)).toEqual(ids);
      // More than one claimer got work, so they really ran against each other.
      expect(perClaimer.filter((got) => got.length > 0).length).toBeGreaterThan(1);
      expect((await s.store.jobClaim(claimParams())).job).toBeNull();
      expect(await queryNumber(s.db, `select count(*) from agent_jobs where status = 'running'`)).toBe(JOBS);
      expect(await queryNumber(s.db, `select count(*) from agent_jobs where attempt = 1`)).toBe(JOBS);
      expect(await queryNumber(s.db, `select count(*) from agent_job_events where kind = 'claimed'`)).toBe(
        JOBS,
      );
      // Each job's lease is the one its claimer was answered with.
      for (const { id, token } of perClaimer.flat().slice(0, 20)) {
        expect((await s.store.jobGet({ id }))?.leaseToken).toBe(token);
      }
    },
  );

  it('claims racing with inserts on other connections lose no job', { timeout: 60_000 }, async () => {
    const producer = s.open();
    const claimers = Array.from({ length: 3 }, () => s.open());
    await Promise.all([producer, ...claimers].map((c) => c.connect()));
    const inserted: string[] = [];
    let producing = true;
    const produce = (async () => {
      for (let i = 0; i < 100; i++) {
        const { job } = await producer.jobInsert({ job: newJob({ createdAt: T0 }), event: ENQUEUED });
        inserted.push(job.id);
      }
      producing = false;
    })();
    const taken = await Promise.all(
      claimers.map(async (c) => {
        const got: string[] = [];
        // Keep claiming while the producer runs, then until the queue is empty.
        for (;;) {
          const { job } = await c.jobClaim(claimParams());
          if (job) got.push(job.id);
          else if (!producing) return got;
          else await new Promise((r) => setImmediate(r));
        }
      }),
    );
    await produce;
    // A claim that ran just before the last insert committed may have stopped early: the rest is there.
    const rest = await claimAll(s.store);
    const all = [...taken.flat(), ...rest];
    expect(all).toHaveLength(inserted.length);
    expect(new Set(all)).toEqual(new Set(inserted));
  });

  const LOCKED = 'a claim skips a job another transaction has locked and takes the next one';
  it.skipIf(skipped(s, LOCKED))(LOCKED, async () => {
    const first = await insertJob(s.store, { priority: 1 });
    const second = await insertJob(s.store, { createdAt: at(1) });
    await s.store.connect();
    const outcome = await withRawConnection(s.db, {
      sqlite: () => {
        throw new Error('listed in SKIPS');
      },
      async postgres(client) {
        // Another transaction (a claim in flight elsewhere) holds the best candidate.
        await client.query('begin');
        await client.query('select id from agent_jobs where id = $1 for update', [first.id]);
        const claim = s.store.jobClaim(claimParams({ now: at(1) }));
        // Blocking on the lock instead of skipping it would wait for as long as the lock is held.
        const answer = await Promise.race([claim, sleep(5_000).then(() => 'blocked' as const)]);
        await client.query('rollback');
        await claim;
        return answer;
      },
    });
    expect(outcome).not.toBe('blocked');
    expect(outcome !== 'blocked' && outcome.job?.id).toBe(second.id);
    expect((await s.store.jobGet({ id: first.id }))?.status).toBe('queued');
  });
});
