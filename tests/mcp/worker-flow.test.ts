// The worker protocol end to end through spawned MCP servers: producer -> worker -> complete, cancel
// with ack, and fleet pause (drain / quiesce) seen through claim and heartbeat answers.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job, JobEvent, StatusAnswer } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, CLIENT_NAME, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

interface JobWithEvents {
  job: Job;
  events: JobEvent[];
}

describe.each(backendsForSuite())('MCP worker protocol ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'producer enqueues, worker claims, heartbeats and completes',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [producer, worker] = await Promise.all([
        h.stdio(['--tools', 'producer']),
        h.stdio(['--tools', 'worker']),
      ]);
      const { job } = await ok<{ job: Job }>(producer, 'queue_enqueue', {
        type: 'code.review',
        payload: { pr: 42 },
        priority: 5,
      });
      expect(job).toMatchObject({ status: 'queued', payload: { pr: 42 }, priority: 5 });
      expect(job.createdBy).toMatch(new RegExp(`-${CLIENT_NAME}-[0-9a-f]{6}$`));

      const claim = await ok<ClaimAnswer>(worker, 'queue_claim', { types: ['code.review'] });
      expect(claim.action).toBe('work');
      expect(claim.system).toMatchObject({ workersPaused: false, mode: null });
      expect(claim.job).toMatchObject({ id: job.id, status: 'running', attempt: 1 });
      // The derived identity: host name, the client's name, a short random part. 600 s MCP lease.
      expect(claim.job!.claimedBy).toMatch(new RegExp(`-${CLIENT_NAME}-[0-9a-f]{6}$`));
      expect(claim.job!.claimedBy).not.toBe(job.createdBy);
      expect(claim.lease!.seconds).toBeGreaterThan(590);
      const lease = { jobId: job.id, leaseToken: claim.lease!.token };

      const beat = await ok<HeartbeatAnswer>(worker, 'queue_heartbeat', {
        ...lease,
        progress: 50,
        message: 'half way',
      });
      expect(beat).toMatchObject({
        action: 'continue',
        system: { workersPaused: false },
        lease: { token: claim.lease!.token },
      });
      // The job's state only: the worker has the payload from its claim (src/mcp/answers.ts).
      expect(beat.job).toEqual({
        id: job.id,
        status: 'running',
        attempt: 1,
        progress: 50,
        cancelReason: null,
      });

      const done = await ok<{ job: Job }>(worker, 'queue_complete', {
        ...lease,
        result: { approved: true },
        resultSummary: 'LGTM',
      });
      expect(done.job).toEqual({
        id: job.id,
        status: 'succeeded',
        attempt: 1,
        progress: 50,
        cancelReason: null,
      });

      const seen = await ok<JobWithEvents>(producer, 'queue_get', { jobId: job.id, events: 10 });
      expect(seen.job).toMatchObject({
        status: 'succeeded',
        result: { approved: true },
        resultSummary: 'LGTM',
      });
      expect(seen.events.map((e) => e.kind)).toEqual(
        expect.arrayContaining(['enqueued', 'claimed', 'progress', 'completed']),
      );

      const empty = await ok<ClaimAnswer>(worker, 'queue_claim');
      expect(empty).toMatchObject({ job: null, lease: null, action: 'wait' });
      expect(empty.retryAfterSeconds).toBeGreaterThan(0);
    },
  );

  it(
    'cancel: a running job hears action "cancel" on heartbeat, then queue_ack_cancel ends it',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const queued = await ok<{ job: Job }>(client, 'queue_enqueue', { type: 'cancel.me' });
      expect((await ok<{ job: Job }>(client, 'queue_cancel', { jobId: queued.job.id })).job.status).toBe(
        'cancelled',
      );

      const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', { type: 'cancel.me' });
      const claim = await ok<ClaimAnswer>(client, 'queue_claim');
      expect(claim.job!.id).toBe(job.id);
      const lease = { jobId: job.id, leaseToken: claim.lease!.token };

      const requested = await ok<{ job: Job }>(client, 'queue_cancel', {
        jobId: job.id,
        reason: 'wrong branch',
      });
      expect(requested.job).toMatchObject({ status: 'running', cancelReason: 'wrong branch' });
      const beat = await ok<HeartbeatAnswer>(client, 'queue_heartbeat', lease);
      expect(beat.action).toBe('cancel');
      expect(beat.job.cancelReason).toBe('wrong branch');

      const acked = await ok<{ job: Job }>(client, 'queue_ack_cancel', {
        ...lease,
        message: 'stopped before pushing',
      });
      expect(acked.job.status).toBe('cancelled');

      // The lease is gone: the answer says so with action and system, like a heartbeat answer.
      const late = await call<{
        error: { code: string };
        action: string;
        system: { workersPaused: boolean };
      }>(client, 'queue_heartbeat', lease);
      expect(late.isError).toBe(true);
      expect(late.body).toMatchObject({
        error: { code: 'lease_lost' },
        action: 'lease_lost',
        system: { workersPaused: false },
      });
    },
  );

  it(
    'pause: claims wait while paused; quiesce says "pause" on heartbeat and "continue" after resume',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      await ok(client, 'queue_enqueue', { type: 'long.task' });
      await ok(client, 'queue_enqueue', { type: 'long.task' });
      const claim = await ok<ClaimAnswer>(client, 'queue_claim');
      const lease = { jobId: claim.job!.id, leaseToken: claim.lease!.token };

      // Drain: no new claims, the running job carries on.
      await ok(client, 'queue_pause', { mode: 'drain', reason: 'upgrade' });
      // A long-poll sleeps through the pause and answers wait at its deadline.
      const drained = await ok<ClaimAnswer>(client, 'queue_claim', { waitSeconds: 1 });
      expect(drained).toMatchObject({
        job: null,
        action: 'wait',
        system: { workersPaused: true, mode: 'drain', reason: 'upgrade' },
      });
      expect((await ok<HeartbeatAnswer>(client, 'queue_heartbeat', lease)).action).toBe('continue');
      // Drained not yet (one job runs): resume needs force, and says why.
      const refused = await call<{ error: { code: string; message: string } }>(client, 'queue_resume', {
        reason: 'done',
      });
      expect(refused.isError).toBe(true);
      expect(refused.body.error.code).toBe('job_state_conflict');
      expect(refused.body.error.message).toMatch(/force/);

      // Quiesce: the running job is told to pause at its checkpoint; the answer says it stays running.
      const quiesced = await ok<{ next: string }>(client, 'queue_pause', {
        mode: 'quiesce',
        reason: 'db migration',
      });
      expect(quiesced.next).toMatch(/keep heartbeating: they stay running, so the fleet does not drain/);
      const paused = await ok<HeartbeatAnswer>(client, 'queue_heartbeat', lease);
      expect(paused).toMatchObject({ action: 'pause', system: { workersPaused: true, mode: 'quiesce' } });
      expect((await ok<ClaimAnswer>(client, 'queue_claim')).action).toBe('wait');

      // Resume from quiesce needs no force although the held job still runs: it is meant to continue.
      await ok(client, 'queue_resume', { reason: 'done' });

      const resumed = await ok<HeartbeatAnswer>(client, 'queue_heartbeat', lease);
      expect(resumed.action).toBe('continue');
      expect(resumed.system.version).toBeGreaterThan(paused.system.version);
      const status = await ok<StatusAnswer>(client, 'queue_status');
      expect(status.audit.map((a) => a.action)).toEqual(['resume', 'pause', 'pause']);
      expect((await ok<ClaimAnswer>(client, 'queue_claim')).action).toBe('work');
    },
  );
});
