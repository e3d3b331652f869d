// `agent-queue heartbeat --wait` as a real process on both backends: under quiesce it holds until
// the resume (answering continue) or its deadline (answering pause, the lease extended).
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, startCli, stopStartedClis } from '../helpers/cli.js';
import { startJob } from '../helpers/jobs.js';
import type { HeartbeatAnswer } from '../../src/core/types.js';

describe.each(backendsForSuite())(
  'cli heartbeat --wait ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let q: TestQueue;
    let env: Record<string, string>;

    useTestQueue(backend, (opened) => {
      q = opened;
      env = opened.db.env;
    });
    afterEach(stopStartedClis);

    /** A running job under quiesce, and `heartbeat --wait 30` for it, once its first beat landed. */
    async function holding() {
      const { job, token } = await startJob(q.service, { type: 'a' });
      await q.service.control.pause({ mode: 'quiesce', reason: 'failover' });
      const cli = startCli(env, [
        'heartbeat',
        job.id,
        '--lease-token',
        token,
        '--message',
        'parked',
        '--wait',
        '30',
      ]);
      // Its first beat writes the message, and the hold listens from before that beat.
      await expect
        .poll(async () => (await q.service.get({ jobId: job.id })).job.progressMessage, { timeout: 15_000 })
        .toBe('parked');
      return { job, cli };
    }

    it('holds under quiesce and answers continue once resumed', async () => {
      const { cli } = await holding();
      await q.connect().control.resume({ reason: 'done', force: true });
      const r = await cli.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ action: 'continue', system: { workersPaused: false } });
    });

    it('Ctrl-C ends the hold early with the pause answer', async () => {
      const { cli } = await holding();
      cli.kill('SIGINT');
      const r = await cli.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ action: 'pause', system: { workersPaused: true } });
    });

    it('answers pause at its deadline, and at once without --wait', async () => {
      const { job, token } = await startJob(q.service, { type: 'a' });
      await q.service.control.pause({ mode: 'quiesce', reason: 'failover' });
      const started = performance.now();
      const held = await cliJson<HeartbeatAnswer>(env, [
        'heartbeat',
        job.id,
        '--lease-token',
        token,
        '--wait',
        '2',
      ]);
      expect(held.action).toBe('pause');
      expect(performance.now() - started).toBeGreaterThanOrEqual(2_000);
      expect(Date.parse(held.lease.expiresAt)).toBeGreaterThan(Date.now());
      const plain = await cliJson<HeartbeatAnswer>(env, ['heartbeat', job.id, '--lease-token', token]);
      expect(plain.action).toBe('pause');
    });

    it('two holders in separate processes do not wake each other into writing', async () => {
      // On SQLite every commit of another process wakes every holder; a holder that wrote on each
      // wake-up woke the other, which wrote back, for the whole pause (hundreds of writes a second).
      const jobs = [await startJob(q.service, { type: 'a' }), await startJob(q.service, { type: 'a' })];
      await q.service.control.pause({ mode: 'quiesce', reason: 'failover' });
      const holders = jobs.map(({ job, token }) =>
        startCli(env, ['heartbeat', job.id, '--lease-token', token, '--message', 'parked', '--wait', '4']),
      );
      // Each heartbeat write stamps updated_at: count the distinct stamps seen during the hold.
      const stamps = jobs.map(() => new Set<string>());
      let done = false;
      const exited = Promise.all(holders.map((h) => h.exited)).finally(() => (done = true));
      while (!done) {
        for (const [i, { job }] of jobs.entries()) {
          stamps[i]!.add((await q.service.get({ jobId: job.id })).job.updatedAt);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const r of await exited) expect(r.code, r.stderr).toBe(0);
      // The claim, the first beat (with the message) and the beat at the deadline: three each. The
      // lease (600 s) is never due for renewal within the 4 s hold.
      for (const seen of stamps) expect(seen.size).toBeLessThanOrEqual(4);
    });
  },
);
