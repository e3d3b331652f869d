// Fleet control from the CLI on both backends: pause, resume, status, and `status --watch` that
// exits once drained and stops cleanly on Ctrl-C.
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import {
  CLI_TEST_TIMEOUT_MS,
  cliJson,
  expectedActor,
  runCli,
  startCli,
  stopStartedClis,
} from '../helpers/cli.js';
import { startJob } from '../helpers/jobs.js';
import type { PauseAnswer } from '../../src/queue/control.js';
import type { StatusAnswer } from '../../src/core/types.js';

describe.each(backendsForSuite())('cli fleet ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });
  // Registered after the queue hook, so it runs before the queue closes.
  afterEach(stopStartedClis);

  it('pause, pause again, switch mode, status, and resume that needs --force after a drain while jobs run, but not after a quiesce', async () => {
    const fresh = await runCli(env, ['status']);
    expect(fresh.stdout.split('\n')).toEqual([
      'workers  not paused (version 0)',
      'jobs     queued 0  delayed 0  blocked 0  running 0  staleRunning 0  isDrained true',
      'audit: no pause or resume yet',
    ]);

    const running = await startJob(q.service, { type: 'a' });
    await q.service.enqueue({ type: 'a', payload: {} });
    await q.service.enqueue({ type: 'a', payload: {}, delaySeconds: 600 });

    const paused = await runCli(env, ['pause', '--mode', 'drain', '--reason', 'upgrade']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^workers paused \\(drain\\): upgrade by ${expectedActor()} at \\S+ \\S+ \\(version 1\\)$`,
        ),
      ),
      'running 1, isDrained false',
      'running jobs finish normally; wait for them with: agent-queue status --watch',
    ]);
    const refused = await runCli(env, ['resume', '--reason', 'done']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error \[job_state_conflict\]: 1 job\(s\) are still running/);
    // The CLI words the queue's hint in its own terms.
    expect(refused.stderr).toMatch(
      /force: true to let .* On the command line: agent-queue resume --force\.$/,
    );
    const forced = await runCli(env, ['resume', '--reason', 'done', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('workers resumed (version 2); running 1');
    await runCli(env, ['pause', '--mode', 'drain', '--reason', 'upgrade']);

    const same = await cliJson<PauseAnswer>(env, [
      '--json',
      'pause',
      '--mode',
      'drain',
      '--reason',
      'upgrade',
    ]);
    expect(same).toMatchObject({ changed: false, system: { version: 3 } });
    const quiesce = await cliJson<PauseAnswer>(env, [
      '--json',
      'pause',
      '--mode',
      'quiesce',
      '--reason',
      'upgrade',
      '--actor',
      'ops',
    ]);
    expect(quiesce).toMatchObject({
      changed: true,
      system: { workersPaused: true, mode: 'quiesce', version: 4 },
      next: expect.stringMatching(/keep heartbeating: they stay running, so the fleet does not drain/),
    });

    const status = await cliJson<StatusAnswer>(env, ['status', '--json']);
    expect(status.system).toMatchObject({
      workersPaused: true,
      mode: 'quiesce',
      reason: 'upgrade',
      requestedBy: 'ops',
    });
    expect(status.metrics).toEqual({
      queued: 1,
      delayed: 1,
      blocked: 0,
      running: 1,
      staleRunning: 0,
      isDrained: false,
    });
    expect(status.audit.map((a) => [a.action, a.mode, a.actor])).toEqual([
      ['pause', 'quiesce', 'ops'],
      ['pause', 'drain', expectedActor()],
      ['resume', 'drain', expectedActor()],
      ['pause', 'drain', expectedActor()],
    ]);
    const human = await runCli(env, ['status', '--audit', '1']);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^workers {2}paused \(quiesce\): upgrade by ops at .* \(version 4\)$/);
    expect(lines[1]).toBe(
      'jobs     queued 1  delayed 1  blocked 0  running 1  staleRunning 0  isDrained false',
    );
    expect(lines[2]).toBe('audit (latest first)');
    expect(
      lines.slice(4).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(1),
      ),
    ).toEqual([['pause', 'quiesce', 'ops', 'upgrade']]);

    // Resume from quiesce needs no --force: the held job is meant to continue.
    const resumed = await runCli(env, ['resume', '--reason', 'done']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe('workers resumed (version 5); running 1');
    const twice = await runCli(env, ['resume', '--reason', 'again']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^error \[job_state_conflict\]: Workers are not paused/);
    expect((await q.service.heartbeat({ jobId: running.job.id, leaseToken: running.token })).action).toBe(
      'continue',
    );
  });

  it('status --watch redraws while a job runs and exits 0 once it completes', async () => {
    const { job, token } = await startJob(q.service, { type: 'a' });
    await q.service.control.pause({ mode: 'drain', reason: 'deploy' });
    const watch = startCli(env, ['status', '--watch', '--interval', '0.2']);
    await watch.waitForStdout('isDrained false');
    await q.service.complete({ jobId: job.id, leaseToken: token });

    const result = await watch.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    // Into a pipe, a frame is printed only when it changed: the running one, then the drained one.
    const frames = result.stdout.split('\n\n');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toContain('running 1  staleRunning 0  isDrained false');
    expect(frames[1]).toContain('running 0  staleRunning 0  isDrained true');
    expect(frames[1]).toContain('paused (drain): deploy');
    expect(frames[2]).toBe('drained: no jobs are running');

    // Already drained: one JSON line, exit 0 at once.
    const json = await runCli(env, ['--json', 'status', '--watch']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.split('\n')).toHaveLength(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ metrics: { running: 0, isDrained: true } });
  });

  it('status --watch stops cleanly on SIGINT with exit code 130, changing nothing', async () => {
    const { job } = await startJob(q.service, { type: 'a' });
    const watch = startCli(env, ['--json', 'status', '--watch', '--interval', '0.2']);
    await watch.waitForStdout('"isDrained":false');
    watch.kill('SIGINT');

    const result = await watch.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toBe('');
    for (const line of result.stdout.split('\n')) {
      expect(JSON.parse(line)).toMatchObject({ metrics: { running: 1, isDrained: false } });
    }
    expect((await q.service.get({ jobId: job.id })).job.status).toBe('running');
  });
});
