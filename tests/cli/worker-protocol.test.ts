// The worker-protocol commands (claim, heartbeat, complete, fail, ack-cancel) as a script uses
// them: JSON on stdout by default, the lease token taken from the claim answer, on both backends.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import { eventKinds, startJob } from '../helpers/jobs.js';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';

describe.each(backendsForSuite())(
  'cli worker protocol ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let q: TestQueue;
    let env: Record<string, string>;

    useTestQueue(backend, (opened) => {
      q = opened;
      env = opened.db.env;
    });

    it('claim -> heartbeat -> complete with the lease token from the claim JSON', async () => {
      const empty = await cliJson<ClaimAnswer>(env, ['claim', '--worker-id', 'w1']);
      expect(empty).toMatchObject({
        job: null,
        lease: null,
        action: 'wait',
        system: { workersPaused: false },
      });
      expect(empty.retryAfterSeconds).toBeGreaterThan(0);

      const { job } = await q.service.enqueue({
        type: 'gpu.render',
        payload: { frame: 7 },
        requiredCapabilities: ['gpu'],
      });
      const noCapability = await cliJson<ClaimAnswer>(env, [
        'claim',
        '--worker-id',
        'w1',
        '--types',
        'gpu.render',
      ]);
      expect(noCapability.job).toBeNull();
      const claim = await cliJson<ClaimAnswer>(env, [
        'claim',
        '--worker-id',
        'w1',
        '--types',
        'other,gpu.render',
        '--capabilities',
        'cpu,gpu',
        '--lease',
        '120',
      ]);
      expect(claim).toMatchObject({
        action: 'work',
        job: { id: job.id, status: 'running', claimedBy: 'w1', attempt: 1, payload: { frame: 7 } },
        lease: { seconds: 120 },
        system: { workersPaused: false, version: 0 },
      });
      const token = claim.lease!.token;

      const hb = await cliJson<HeartbeatAnswer>(env, [
        'heartbeat',
        job.id,
        '--lease-token',
        token,
        '--progress',
        '50',
        '--message',
        'half way',
        '--lease',
        '300',
      ]);
      expect(hb).toMatchObject({
        action: 'continue',
        job: { progress: 50, progressMessage: 'half way' },
        lease: { token },
      });
      expect(hb.lease.seconds).toBeGreaterThan(290);
      expect(hb.system).toMatchObject({ workersPaused: false });

      const done = await cliJson<{ job: Job }>(env, [
        'complete',
        job.id,
        '--lease-token',
        token,
        '--result',
        '{"frames":[7]}',
        '--summary',
        'rendered',
      ]);
      expect(done.job).toMatchObject({
        status: 'succeeded',
        result: { frames: [7] },
        resultSummary: 'rendered',
      });
      expect(await eventKinds(q.service, job.id)).toEqual(['enqueued', 'claimed', 'progress', 'completed']);

      // The token is spent: every further call with it is lease_lost, on stderr only.
      const stale = await runCli(env, ['heartbeat', job.id, '--lease-token', token]);
      expect(stale).toMatchObject({ code: 1, stdout: '' });
      expect(stale.stderr).toMatch(
        /^error \[lease_lost\]: This job is no longer yours: you already ended attempt 1 with complete using this token, so heartbeat cannot apply, and it is now succeeded/,
      );
      expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('fail requeues a retryable failure with backoff and ends a --no-retry one as failed', async () => {
      const a = await startJob(q.service, { type: 'flaky' });
      const retried = await cliJson<{ job: Job }>(env, [
        'fail',
        a.job.id,
        '--lease-token',
        a.token,
        '--error',
        'timeout',
      ]);
      expect(retried.job).toMatchObject({ status: 'queued', errorMessage: 'timeout', attempt: 1 });
      expect(Date.parse(retried.job.runAt)).toBeGreaterThan(Date.parse(retried.job.updatedAt));

      const b = await startJob(q.service, { type: 'broken' });
      const failed = await cliJson<{ job: Job }>(env, [
        'fail',
        b.job.id,
        '--lease-token',
        b.token,
        '--error',
        'bad input',
        '--no-retry',
      ]);
      expect(failed.job).toMatchObject({ status: 'failed', errorMessage: 'bad input' });
    });

    it('a cancel reaches the worker on its next heartbeat and ack-cancel ends the job', async () => {
      const { job, token } = await startJob(q.service, { type: 'long' });
      const early = await runCli(env, ['ack-cancel', job.id, '--lease-token', token]);
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/^error \[job_state_conflict\]: No cancellation was requested/);

      expect((await runCli(env, ['cancel', job.id, '--reason', 'superseded'])).code).toBe(0);
      const hb = await cliJson<HeartbeatAnswer>(env, ['heartbeat', job.id, '--lease-token', token]);
      expect(hb).toMatchObject({ action: 'cancel', job: { status: 'running', cancelReason: 'superseded' } });
      const acked = await cliJson<{ job: Job }>(env, [
        'ack-cancel',
        job.id,
        '--lease-token',
        token,
        '--message',
        'stopped',
      ]);
      expect(acked.job.status).toBe('cancelled');
      const { events } = await q.service.events({ jobId: job.id });
      expect(events.at(-1)).toMatchObject({ kind: 'cancelled', message: 'stopped' });
    });

    it('while quiesced a claim waits and a heartbeat says pause; claim --wait long-polls for a delayed job', async () => {
      const running = await startJob(q.service, { type: 'x' });
      await q.service.enqueue({ type: 'x', payload: {} });
      await q.service.control.pause({ mode: 'quiesce', reason: 'upgrade', requestedBy: 'ops' });
      const paused = await cliJson<ClaimAnswer>(env, ['claim', '--worker-id', 'w2', '--wait', '5']);
      expect(paused).toMatchObject({
        job: null,
        action: 'wait',
        system: { workersPaused: true, mode: 'quiesce', reason: 'upgrade', version: 1, requestedBy: 'ops' },
      });
      const hb = await cliJson<HeartbeatAnswer>(env, [
        'heartbeat',
        running.job.id,
        '--lease-token',
        running.token,
      ]);
      expect(hb).toMatchObject({ action: 'pause', system: { workersPaused: true, mode: 'quiesce' } });
      await q.service.control.resume({ reason: 'done', force: true });
      await q.service.complete({ jobId: running.job.id, leaseToken: running.token });

      // Not claimable for 2 s: only a claim that really waits gets it.
      const { job } = await q.service.enqueue({ type: 'later', payload: {}, delaySeconds: 2 });
      const t0 = performance.now();
      const late = await cliJson<ClaimAnswer>(env, [
        'claim',
        '--worker-id',
        'w3',
        '--types',
        'later',
        '--wait',
        '20',
      ]);
      expect(late).toMatchObject({ action: 'work', job: { id: job.id } });
      expect(performance.now() - t0).toBeLessThan(15_000);
    });
  },
);
