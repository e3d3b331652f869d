// A worker agent's retries and typos through a spawned MCP server (issue 13, points 2 and 3): a
// retried queue_complete after a lost answer gets the same answer again; a mistyped lease token is
// told the job may still be its own (no `action: lease_lost`), and the real token then works.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP lease retries ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'a retried queue_complete answers exactly as the first; another result is a conflict',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      await ok(client, 'queue_enqueue', { type: 'code.review', payload: { pr: 7 } });
      const claim = await ok<ClaimAnswer>(client, 'queue_claim');
      const args = {
        jobId: claim.job!.id,
        leaseToken: claim.lease!.token,
        result: { approved: true, notes: ['ok'] },
        resultSummary: 'LGTM',
      };
      const first = await call<{ job: Job }>(client, 'queue_complete', args);
      expect(first.isError).toBe(false);
      expect(first.body.job.status).toBe('succeeded');
      const again = await call<{ job: Job }>(client, 'queue_complete', args);
      expect(again.isError).toBe(false);
      expect(again.raw.structuredContent).toEqual(first.raw.structuredContent);

      const changed = await call<{ error: { code: string; message: string } }>(client, 'queue_complete', {
        ...args,
        resultSummary: 'LGTM, with nits',
      });
      expect(changed.isError).toBe(true);
      expect(changed.body.error.code).toBe('job_state_conflict');
      expect(changed.body.error.message).toMatch(/different result or resultSummary\. The first one stands/);
    },
  );

  it(
    'a mistyped token is not told it lost the job, and the real token still works',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      await ok(client, 'queue_enqueue', { type: 'code.review' });
      const claim = await ok<ClaimAnswer>(client, 'queue_claim');
      const jobId = claim.job!.id;
      const typo = await call<{ error: { code: string; message: string }; action?: string }>(
        client,
        'queue_heartbeat',
        { jobId, leaseToken: claim.lease!.token.toUpperCase() },
      );
      expect(typo.isError).toBe(true);
      expect(typo.body.error.code).toBe('invalid_argument');
      expect(typo.body.error.message).toMatch(/it is still yours and nothing expired/);
      expect(typo.body.action).toBeUndefined();
      const beat = await ok<HeartbeatAnswer>(client, 'queue_heartbeat', {
        jobId,
        leaseToken: claim.lease!.token,
      });
      expect(beat.action).toBe('continue');
    },
  );
});
