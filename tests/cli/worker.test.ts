// `agent-queue worker` as a real process on both backends: --once, two processes sharing one
// database, its own SIGTERM within and past the shutdown grace, the usage error and an unreachable
// database. The runtime's finer behaviour (cancel, quiesce, lease loss) is tested in tests/worker/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, runCli, startCli, stopStartedClis } from '../helpers/cli.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';
import type { Job } from '../../src/core/types.js';

const SLEEPER = fileURLToPath(new URL('../fixtures/worker-cli/sleeper.mjs', import.meta.url));

/** Polls `check` until it returns a value (not undefined), or fails after `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Gone, or a zombie: killed, waiting for a reaper (its parent, the worker, is gone). */
const dead = (pid: number): boolean => {
  if (!alive(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
};

describe.each(backendsForSuite())(
  'agent-queue worker ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let q: TestQueue;
    let env: Record<string, string>;
    let dir: TempDir;

    useTestQueue(backend, (opened) => {
      q = opened;
      env = opened.db.env;
    });
    beforeEach(() => {
      dir = makeTempDir('worker-cli');
    });
    // Registered after the queue hook, so it runs before the queue closes.
    afterEach(async () => {
      await stopStartedClis();
      dir.remove();
    });

    const job = async (id: string): Promise<Job> => (await q.service.get({ jobId: id })).job;
    const kinds = async (id: string) => (await q.service.events({ jobId: id, limit: 1000 })).events;
    /** The pid of the job's child once it runs (the sleeper fixture writes it). */
    const childPid = (id: string) =>
      eventually(`job ${id} to start`, () => {
        const file = join(dir.path, `${id}.pid`);
        return existsSync(file) && readFileSync(file, 'utf8') !== ''
          ? Number(readFileSync(file, 'utf8'))
          : undefined;
      });

    it('runs a job to success with --once and exits 0, printing nothing on stdout', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: { ms: 10 } });
      const r = await runCli(env, [
        'worker',
        '--types',
        'cli.sleep',
        '--once',
        '--worker-id',
        'w-once',
        '--',
        process.execPath,
        SLEEPER,
        '{{payload.ms}}',
        dir.path,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('w-once');
      const done = await job(queued.id);
      expect(done).toMatchObject({ status: 'succeeded', result: { slept: 10 } });
      const claimed = (await kinds(queued.id)).filter((e) => e.kind === 'claimed');
      expect(claimed.map((e) => e.data)).toEqual([{ workerId: 'w-once', lease: expect.any(String) }]);
    });

    it('shares 200 jobs between two worker processes, each job run exactly once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 200; i++)
        ids.push((await q.service.enqueue({ type: 'cli.fast', payload: { i } })).job.id);
      const args = (id: string) => [
        'worker',
        '--types',
        'cli.fast',
        '--once',
        '--worker-id',
        id,
        '--',
        'true',
      ];
      const [a, b] = [startCli(env, args('w-a')), startCli(env, args('w-b'))];
      const [ra, rb] = await Promise.all([a.exited, b.exited]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      const by = new Map<string, number>();
      for (const id of ids) {
        const timeline = await kinds(id);
        // On failure the timeline says what happened (a start error under load is retried later).
        expect((await job(id)).status, `${id}: ${JSON.stringify(timeline)}`).toBe('succeeded');
        const claims = timeline.filter((e) => e.kind === 'claimed');
        expect(claims, id).toHaveLength(1);
        const who = (claims[0]!.data as { workerId: string }).workerId;
        by.set(who, (by.get(who) ?? 0) + 1);
      }
      expect([...by.keys()].sort()).toEqual(['w-a', 'w-b']);
      expect((by.get('w-a') ?? 0) + (by.get('w-b') ?? 0)).toBe(200);
    });

    const sleeperWorker = (ms: number, extra: string[] = []) =>
      startCli(env, [
        'worker',
        '--types',
        'cli.sleep',
        '--worker-id',
        'w-sig',
        ...extra,
        '--',
        process.execPath,
        SLEEPER,
        String(ms),
        dir.path,
      ]);

    it('on SIGTERM lets the running job finish within the grace, then exits 0', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: {} });
      const worker = sleeperWorker(1_500, ['--shutdown-grace', '60']);
      const pid = await childPid(queued.id);
      worker.kill('SIGTERM');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(alive(pid)).toBe(false);
      expect(await job(queued.id)).toMatchObject({ status: 'succeeded', result: { slept: 1_500 } });
    });

    it('on SIGTERM past the grace stops the job, fails it retryable and exits 0', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: {}, maxAttempts: 3 });
      const worker = sleeperWorker(600_000, ['--shutdown-grace', '1', '--cancel-grace', '1']);
      const pid = await childPid(queued.id);
      const signalled = Date.now();
      worker.kill('SIGTERM');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(alive(pid)).toBe(false);
      const after = await job(queued.id);
      expect(after).toMatchObject({ status: 'queued', attempt: 1, errorMessage: 'worker shutting down' });
      const events = (await kinds(queued.id)).map((e) => e.kind);
      expect(events).toContain('retry_scheduled');
      expect(events).not.toContain('completed');
    });

    it('on a second signal kills the job at once, fails it retryable and exits 130', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: {}, maxAttempts: 3 });
      const worker = sleeperWorker(600_000, ['--shutdown-grace', '600', '--cancel-grace', '600']);
      const pid = await childPid(queued.id);
      const signalled = Date.now();
      // Two different signals: two of the same kind sent at once may reach the process as one.
      worker.kill('SIGTERM');
      worker.kill('SIGINT');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(130);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(alive(pid)).toBe(false);
      expect(await job(queued.id)).toMatchObject({ status: 'queued', errorMessage: 'worker shutting down' });
    });

    it('SIGHUP (a closed terminal) stops like SIGTERM: the running job finishes, exit 0', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: {} });
      const worker = sleeperWorker(1_500, ['--shutdown-grace', '60']);
      const pid = await childPid(queued.id);
      worker.kill('SIGHUP');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/stopping: no more claims/);
      expect(alive(pid)).toBe(false);
      expect(await job(queued.id)).toMatchObject({ status: 'succeeded', result: { slept: 1_500 } });
    });

    it('on a third signal SIGKILLs the children and exits 130 at once', async () => {
      const { job: queued } = await q.service.enqueue({ type: 'cli.sleep', payload: {}, maxAttempts: 3 });
      const worker = sleeperWorker(600_000, ['--shutdown-grace', '600', '--cancel-grace', '600']);
      const pid = await childPid(queued.id);
      // Three different signals: two of the same kind sent at once may reach the process as one.
      worker.kill('SIGTERM');
      worker.kill('SIGINT');
      worker.kill('SIGHUP');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/exiting at once/);
      await eventually('the child to die', () => (dead(pid) ? true : undefined), 1_000);
    });

    it('the start-up line shows the command with secret values of the environment redacted', async () => {
      const token = 'tok-5up3r53cr3tvalu3';
      const r = await runCli({ ...env, DEPLOY_TOKEN: token }, [
        'worker',
        '--types',
        'cli.none',
        '--once',
        '--',
        'true',
        `--token=${token}`,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('--token=[redacted]');
      expect(r.stderr).not.toContain(token);
    });
  },
);

describe('agent-queue worker: start-up errors', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('without a command: one usage line, exit 2', async () => {
    const r = await runCli({}, ['worker', '--types', 'a']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/missing the command.*-- <command>/)]);
  });

  it('with an unreachable database: the coded reason, exit 3, no password', async () => {
    const r = await runCli({ DATABASE_URL: 'postgres://someone:s3cretpw@127.0.0.1:1/none' }, [
      'worker',
      '--',
      'true',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('[unavailable]');
    expect(r.stderr).not.toContain('s3cretpw');
  });
});
