// Concurrent claimers (SPEC §3, §6): two claims never get the same job and no job is lost, with
// many connections in one process and, on SQLite, with several OS processes on one file.
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { BACKENDS, backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { assertBuilt, cliEnv } from '../helpers/bin.js';
import { insertQueuedJobs, queryNumber } from '../helpers/sql.js';
import type { QueueService } from '../../src/queue/service.js';

const DRAIN = fileURLToPath(new URL('../fixtures/drain.mjs', import.meta.url));

/** Claims and completes until the queue answers `wait`; returns the ids it claimed. */
async function drain(service: QueueService, workerId: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const answer = await service.claim({ workerId });
    if (!answer.job) return ids;
    ids.push(answer.job.id);
    await service.complete({ jobId: answer.job.id, leaseToken: answer.lease!.token });
  }
}

/** Every job ran exactly once and succeeded: one claim each, one claimed event each. */
async function expectEachRanOnce(q: TestQueue, jobIds: string[], claimed: string[]): Promise<void> {
  expect(claimed).toHaveLength(jobIds.length);
  expect(new Set(claimed).size).toBe(jobIds.length);
  expect([...claimed].sort()).toEqual([...jobIds].sort());
  const db = q.db;
  expect(
    await queryNumber(db, `select count(*) from agent_jobs where status = 'succeeded' and attempt = 1`),
  ).toBe(jobIds.length);
  expect(await queryNumber(db, `select count(*) from agent_jobs`)).toBe(jobIds.length);
  expect(await queryNumber(db, `select count(*) from agent_job_events where kind = 'claimed'`)).toBe(
    jobIds.length,
  );
}

describe.each(backendsForSuite())('concurrent claims ($name)', (backend) => {
  let q: TestQueue | undefined;
  afterEach(async () => {
    await q?.close();
    q = undefined;
  });

  it(
    '8 claimers on their own connections drain 2,000 jobs, each exactly once',
    { timeout: 120_000 },
    async () => {
      q = await openTestQueue(backend);
      const claimers = Array.from({ length: 8 }, () => q!.connect());
      // Written in one go: the subject here is claiming (enqueue has its own tests).
      const jobIds = await insertQueuedJobs(q.db, 2_000, 'load');
      const perClaimer = await Promise.all(claimers.map((s, i) => drain(s, `claimer-${i}`)));
      await expectEachRanOnce(q, jobIds, perClaimer.flat());
      expect((await q.service.claim({ workerId: 'late' })).job).toBeNull();
    },
  );
});

describe('concurrent claims from separate processes (sqlite)', () => {
  const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
  let q: TestQueue | undefined;
  const children: ResultPromise[] = [];
  afterEach(async () => {
    // A child that is still running here means the test failed early: do not leave it behind.
    for (const child of children.splice(0)) {
      child.kill();
      await child.catch(() => undefined);
    }
    await q?.close();
    q = undefined;
  });

  it('3 processes drain 1,000 jobs from one file: disjoint and complete', { timeout: 120_000 }, async () => {
    // The child processes run the built code (dist/).
    assertBuilt();
    q = await openTestQueue(sqlite);
    const jobIds = await insertQueuedJobs(q.db, 1_000, 'load');
    const env = cliEnv(q.db.env);
    const procs = Array.from({ length: 3 }, (_, i) => {
      const child = execa(process.execPath, [DRAIN, `proc-${i}`], { env, extendEnv: false, reject: false });
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
              reject(new Error(`drain exited early (${r.exitCode}): ${String(r.stderr)}`)),
            );
          }),
      ),
    );
    for (const child of procs) child.stdin!.end();
    const results = await Promise.all(procs);
    const perProcess = results.map((r) => {
      expect(r.exitCode, String(r.stderr)).toBe(0);
      return JSON.parse(String(r.stdout).trim().split('\n').at(-1)!) as string[];
    });
    // Each process got a share, so they really ran against each other.
    for (const ids of perProcess) expect(ids.length).toBeGreaterThan(0);
    await expectEachRanOnce(q, jobIds, perProcess.flat());
  });
});
