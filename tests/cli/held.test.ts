// `agent-queue held --worker-id` as a real process on both backends: a script that lost its claim
// answer finds its job and token again, and completes it; another worker id sees nothing.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import type { ClaimAnswer, HeldAnswer, Job } from '../../src/core/types.js';

describe.each(backendsForSuite())('cli held ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  it('lists the jobs a worker id holds with their tokens; the token completes the job', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    const claim = await cliJson<ClaimAnswer>(env, ['claim', '--worker-id', 'ci-runner-3']);
    expect(claim.job?.id).toBe(job.id);

    const held = await cliJson<HeldAnswer>(env, ['held', '--worker-id', 'ci-runner-3']);
    expect(held.jobs.map((h) => [h.job.id, h.lease.token])).toEqual([[job.id, claim.lease!.token]]);
    expect((await cliJson<HeldAnswer>(env, ['held', '--worker-id', 'ci-runner-4'])).jobs).toEqual([]);
    // An operator sees what the worker holds, never its token.
    const listed = await runCli(env, ['--json', 'list', '--claimed-by', 'ci-runner-3', '--full']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ jobs: [{ id: job.id, claimedBy: 'ci-runner-3' }] });
    expect(listed.stdout).not.toContain(claim.lease!.token);

    const done = await cliJson<{ job: Job }>(env, [
      'complete',
      job.id,
      '--lease-token',
      held.jobs[0]!.lease.token,
    ]);
    expect(done.job.status).toBe('succeeded');
  });

  it('requires --worker-id', async () => {
    const r = await runCli(env, ['held']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--worker-id/);
  });
});
