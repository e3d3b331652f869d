// The job commands of the CLI as a real subprocess on both backends: enqueue -> list -> get,
// events, cancel and retry, in human and --json form.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, expectedActor, runCli } from '../helpers/cli.js';
import { startJob } from '../helpers/jobs.js';
import type { Job, JobEvent, JobPage } from '../../src/core/types.js';

describe.each(backendsForSuite())('cli job commands ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  it('enqueues with every flag, deduplicates, and lists newest first with a working next-page hint', async () => {
    const human = await runCli(env, [
      'enqueue',
      'code.review',
      '--payload',
      '{"repo":"a"}',
      '--priority',
      '5',
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toBe('');
    const firstId = /^(\S+)\s+enqueued code\.review \(priority 5/.exec(human.stdout)?.[1];
    expect(firstId).toBeDefined();

    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const { job: second, deduplicated } = await cliJson<{ job: Job; deduplicated: boolean }>(env, [
      '--json',
      'enqueue',
      'docs.write',
      '--capabilities',
      'git, node',
      '--run-at',
      runAt,
      '--max-attempts',
      '5',
      '--dedupe-key',
      'k1',
    ]);
    expect(deduplicated).toBe(false);
    expect(second).toMatchObject({
      type: 'docs.write',
      status: 'queued',
      payload: {},
      requiredCapabilities: ['git', 'node'],
      runAt,
      maxAttempts: 5,
      dedupeKey: 'k1',
      createdBy: expectedActor(),
    });
    const again = await cliJson<{ job: Job; deduplicated: boolean }>(env, [
      'enqueue',
      'docs.write',
      '--dedupe-key',
      'k1',
      '--json', // --json after the command works too
    ]);
    expect(again).toMatchObject({ deduplicated: true, job: { id: second.id } });
    const delayed = await cliJson<{ job: Job }>(env, ['--json', 'enqueue', 'later', '--delay', '90']);
    const delayMs = Date.parse(delayed.job.runAt) - Date.parse(delayed.job.createdAt);
    expect(delayMs).toBeGreaterThanOrEqual(89_000);
    expect(delayMs).toBeLessThanOrEqual(91_000);

    const table = await runCli(env, ['list']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+PRI\s+ATTEMPT\s+CREATED\s+CLAIMED BY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      [delayed.job.id, 'later', 'queued', '0', '0/3'],
      [second.id, 'docs.write', 'queued', '0', '0/5'],
      [firstId, 'code.review', 'queued', '5', '0/3'],
    ]);
    expect(table.stdout).not.toContain('more:');

    const page1 = await runCli(env, ['list', '--limit', '2', '--status', 'queued']);
    expect(page1.code, page1.stderr).toBe(0);
    const hint = /^more: agent-queue (list .*)$/m.exec(page1.stdout)?.[1];
    expect(hint).toMatch(/^list --status queued --limit 2 --cursor \S+$/);
    const page2 = await runCli(env, hint!.split(' '));
    expect(
      page2.stdout
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual([firstId]);
    expect(page2.stdout).not.toContain('more:');

    const json = await cliJson<JobPage>(env, ['--json', 'list', '--type', 'docs.write']);
    expect(json).toEqual({ jobs: [expect.objectContaining({ id: second.id })], nextCursor: null });
    expect((await runCli(env, ['list', '--status', 'running'])).stdout).toBe('no jobs');
  });

  it('get shows the job and its timeline; --json carries the same; events pages with --after', async () => {
    const { job, token } = await startJob(q.service, {
      type: 'build',
      enqueue: { payload: { branch: 'main' } },
    });
    await q.service.heartbeat({ jobId: job.id, leaseToken: token, progress: 40, message: 'compiling' });

    const human = await runCli(env, ['get', job.id]);
    expect(human.code, human.stderr).toBe(0);
    const unknown = await runCli(env, ['get', '01900000-0000-7000-8000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^error \[not_found\]: .* `agent-queue list` shows the ids of recent jobs\.$/,
    );
    expect(human.stdout).toMatch(new RegExp(`^id\\s+${job.id}$`, 'm'));
    expect(human.stdout).toMatch(/^status\s+running$/m);
    expect(human.stdout).toMatch(/^attempt\s+1\/3$/m);
    expect(human.stdout).toMatch(/^claimed by\s+worker-1$/m);
    expect(human.stdout).toMatch(/^progress\s+40% compiling$/m);
    expect(human.stdout).toContain('"branch": "main"');
    const timeline = human.stdout.slice(human.stdout.indexOf('\nevents\n') + '\nevents\n'.length).split('\n');
    expect(timeline[0]).toMatch(/^\s+#\s+AT\s+LEVEL\s+KIND\s+ATTEMPT\s+MESSAGE$/);
    // Columns are separated by at least two spaces (a time has one inside).
    expect(
      timeline.slice(1).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(2),
      ),
    ).toEqual([
      ['info', 'enqueued', '0', '-'],
      ['info', 'claimed', '1', 'claimed by worker-1'],
      ['info', 'progress', '1', 'compiling'],
    ]);
    expect(human.stdout).not.toContain(token);

    const detail = await cliJson<{ job: Job; events: JobEvent[] }>(env, [
      'get',
      job.id,
      '--json',
      '--events',
      '2',
    ]);
    expect(detail.job).toMatchObject({
      id: job.id,
      status: 'running',
      progress: 40,
      progressMessage: 'compiling',
    });
    expect(detail.events.map((e) => e.kind)).toEqual(['claimed', 'progress']);
    const bare = await cliJson<{ job: Job; events?: unknown }>(env, [
      '--json',
      'get',
      job.id,
      '--events',
      '0',
    ]);
    expect(bare.events).toBeUndefined();

    const all = await cliJson<{ events: JobEvent[] }>(env, ['--json', 'events', job.id]);
    expect(all.events.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'progress']);
    const first = await runCli(env, ['events', job.id, '--limit', '1']);
    expect(first.stdout).toContain(
      `more: agent-queue events ${job.id} --after ${all.events[0]!.id} --limit 1`,
    );
    const rest = await cliJson<{ events: JobEvent[] }>(env, [
      '--json',
      'events',
      job.id,
      '--after',
      String(all.events[0]!.id),
    ]);
    expect(rest.events.map((e) => e.kind)).toEqual(['claimed', 'progress']);
  });

  it('cancel ends a queued job and asks a running one; retry requeues a failed job', async () => {
    const { job: queued } = await q.service.enqueue({ type: 'a', payload: {} });
    const c1 = await runCli(env, ['cancel', queued.id, '--reason', 'not needed']);
    expect(c1.code, c1.stderr).toBe(0);
    expect(c1.stdout).toBe(`${queued.id}  cancelled`);
    expect((await q.service.get({ jobId: queued.id })).job).toMatchObject({
      status: 'cancelled',
      cancelReason: 'not needed',
      cancelRequestedBy: expectedActor(),
    });

    const running = await startJob(q.service, { type: 'b', workerId: 'w9' });
    const c2 = await cliJson<{ job: Job }>(env, ['--json', 'cancel', running.job.id, '--actor', 'ops-bot']);
    expect(c2.job).toMatchObject({ status: 'running', cancelRequestedBy: 'ops-bot' });
    const c3 = await runCli(env, ['cancel', running.job.id]);
    expect(c3.stdout).toMatch(/cancellation requested; w9 is told at its next heartbeat/);

    const failing = await startJob(q.service, { type: 'c' });
    await q.service.fail({
      jobId: failing.job.id,
      leaseToken: failing.token,
      error: 'boom',
      retryable: false,
    });
    const retried = await runCli(env, ['retry', failing.job.id]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe(`${failing.job.id}  queued again (attempts 0/3)`);
    expect((await q.service.get({ jobId: failing.job.id })).job).toMatchObject({
      status: 'queued',
      attempt: 0,
    });

    // Rules stay in the service: a succeeded job cannot be cancelled, a queued one not retried.
    const done = await startJob(q.service, { type: 'd' });
    await q.service.complete({ jobId: done.job.id, leaseToken: done.token });
    const conflict = await runCli(env, ['cancel', done.job.id]);
    expect(conflict).toMatchObject({ code: 1, stdout: '' });
    expect(conflict.stderr).toMatch(/^error \[job_state_conflict\]: .*succeeded/);
    const notRetryable = await runCli(env, ['retry', failing.job.id]);
    expect(notRetryable.code).toBe(1);
    expect(notRetryable.stderr).toMatch(/^error \[job_state_conflict\]/);
  });
});
