// Named queues from the command line, both backends (docs/queues.md): --queue (or AGENT_QUEUE_QUEUE)
// puts enqueued jobs in a queue, keeps list, status and get to it, pauses and resumes that queue
// only; and `worker --queue` runs only its queue's jobs.
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli, stopStartedClis } from '../helpers/cli.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';
import type { Job, JobPage, StatusAnswer } from '../../src/core/types.js';
import type { PauseAnswer } from '../../src/queue/control.js';

const SLEEPER = fileURLToPath(new URL('../fixtures/worker-cli/sleeper.mjs', import.meta.url));

describe.each(backendsForSuite())('cli --queue ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;
  let dir: TempDir;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });
  beforeEach(() => {
    dir = makeTempDir('queues-cli');
  });
  afterEach(async () => {
    await stopStartedClis();
    dir.remove();
  });

  it('enqueue, list, get and status --queue keep to the queue; the variable does the same', async () => {
    const acme = await cliJson<{ job: Job }>(env, ['enqueue', 'build', '--queue', 'acme', '--json']);
    expect(acme.job.queue).toBe('acme');
    const globex = await cliJson<{ job: Job }>({ ...env, AGENT_QUEUE_QUEUE: 'globex' }, [
      'enqueue',
      'build',
      '--json',
    ]);
    expect(globex.job.queue).toBe('globex');
    await cliJson(env, ['enqueue', 'build', '--json']);

    const listed = await cliJson<JobPage>(env, ['list', '--queue', 'acme', '--json']);
    expect(listed.jobs.map((j) => j.id)).toEqual([acme.job.id]);
    expect((await cliJson<JobPage>(env, ['list', '--json'])).jobs).toHaveLength(3);
    const status = await cliJson<StatusAnswer>({ ...env, AGENT_QUEUE_QUEUE: 'globex' }, ['status', '--json']);
    expect(status.metrics).toMatchObject({ queued: 1, running: 0 });

    const other = await runCli(env, ['get', acme.job.id, '--queue', 'globex']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error \[not_found\]/);
    expect((await runCli(env, ['get', acme.job.id, '--queue', 'acme'])).stdout).toMatch(/^queue +acme$/m);

    const bad = await runCli(env, ['list', '--queue', 'Not A Queue']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--queue \/ AGENT_QUEUE_QUEUE/);
  });

  it('pause --queue pauses that queue only; status --queue shows both pauses; resume --queue', async () => {
    const paused = await cliJson<PauseAnswer>(env, [
      'pause',
      '--queue',
      'acme',
      '--mode',
      'drain',
      '--reason',
      'acme deploy',
      '--json',
    ]);
    expect(paused.system).toMatchObject({ workersPaused: true, scope: 'queue', queue: 'acme' });
    const human = await runCli(env, [
      'pause',
      '--queue',
      'acme',
      '--mode',
      'drain',
      '--reason',
      'acme deploy',
    ]);
    expect(human.stdout).toMatch(/^already paused \(drain\): acme deploy/);
    expect(human.stdout).toContain('agent-queue resume --queue acme --reason r');

    const view = await runCli(env, ['status', '--queue', 'acme']);
    expect(view.code, view.stderr).toBe(0);
    const lines = view.stdout.split('\n');
    expect(lines[0]).toMatch(/^workers +paused \(drain\): acme deploy .*\(the queue's own pause\)$/);
    expect(lines[1]).toMatch(/^fleet pause +not paused \(version 0\)$/);
    expect(lines[2]).toMatch(/^queue pause +paused \(drain\): acme deploy/);
    expect(view.stdout).toMatch(/AT +QUEUE +ACTION/);

    // The fleet is not paused, and another queue is not.
    const fleet = await cliJson<StatusAnswer>(env, ['status', '--json']);
    expect(fleet.system).toMatchObject({ workersPaused: false, scope: 'fleet' });
    const globex = await cliJson<StatusAnswer>(env, ['status', '--queue', 'globex', '--json']);
    expect(globex.system.workersPaused).toBe(false);
    expect(globex.pauses).toMatchObject({ queue: null });
    await q.service.enqueue({ type: 'build', queue: 'acme' });
    expect((await q.service.claim({ workerId: 'w', queue: 'acme' })).job).toBeNull();

    const resumed = await runCli(env, ['resume', '--queue', 'acme', '--reason', 'done']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^queue acme resumed \(version 2\)/);
    expect((await q.service.claim({ workerId: 'w', queue: 'acme' })).job).not.toBeNull();
  });

  it("worker --queue runs its queue's jobs and leaves the others queued", async () => {
    const mine = await q.service.enqueue({ type: 'cli.sleep', payload: { ms: 5 }, queue: 'acme' });
    const theirs = await q.service.enqueue({ type: 'cli.sleep', payload: { ms: 5 }, queue: 'globex' });
    const fallback = await q.service.enqueue({ type: 'cli.sleep', payload: { ms: 5 } });
    const r = await runCli(env, [
      'worker',
      '--queue',
      'acme',
      '--once',
      '--worker-id',
      'w-acme',
      '--',
      process.execPath,
      SLEEPER,
      '{{payload.ms}}',
      dir.path,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('"queue":"acme"');
    const status = async (id: string) => (await q.service.get({ jobId: id })).job.status;
    expect(await status(mine.job.id)).toBe('succeeded');
    expect(await status(theirs.job.id)).toBe('queued');
    expect(await status(fallback.job.id)).toBe('queued');
  });
});
