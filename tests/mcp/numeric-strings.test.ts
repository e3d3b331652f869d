// Numbers sent as strings through a spawned MCP server (issue 13, point 6): a plain decimal string
// in a number field is read as that number; anything else in a string is refused with a message
// that says what to send; the advertised JSON Schema still says number / integer; a runAt without
// an offset or Z is refused with that hint.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, HeartbeatAnswer, Job, JobEvent } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

type ErrorBody = { error: { code: string; message: string } };

describe.each(backendsForSuite())('MCP numbers sent as strings ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it('reads "5" as 5 in every number field of a worker flow', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const client = await h.stdio();
    const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', {
      type: 'nums',
      priority: '7',
      maxAttempts: '2',
      delaySeconds: '0',
    });
    expect(job).toMatchObject({ priority: 7, maxAttempts: 2 });
    const claim = await ok<ClaimAnswer>(client, 'queue_claim', { waitSeconds: '1', leaseSeconds: '120' });
    expect(claim.job?.id).toBe(job.id);
    expect(claim.lease!.seconds).toBeGreaterThan(110);
    expect(claim.lease!.seconds).toBeLessThanOrEqual(120);
    const beat = await ok<HeartbeatAnswer>(client, 'queue_heartbeat', {
      jobId: job.id,
      leaseToken: claim.lease!.token,
      progress: '42.5',
      leaseSeconds: '300',
    });
    expect(beat.job.progress).toBe(42.5);
    expect(beat.lease.seconds).toBeGreaterThan(290);
    const got = await ok<{ job: Job; events: JobEvent[] }>(client, 'queue_get', {
      jobId: job.id,
      events: '2',
    });
    expect(got.events).toHaveLength(2);
    const page = await ok<{ jobs: Job[] }>(client, 'queue_list', { limit: '1' });
    expect(page.jobs).toHaveLength(1);
  });

  it(
    'refuses strings that are not plain numbers, and a runAt without offset or Z, saying what to send',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      for (const [tool, args, field, shown] of [
        ['queue_claim', { waitSeconds: '5x' }, 'waitSeconds', '"5x"'],
        ['queue_claim', { waitSeconds: '' }, 'waitSeconds', '""'],
        ['queue_claim', { waitSeconds: ' ' }, 'waitSeconds', '" "'],
        ['queue_enqueue', { type: 'nums', priority: '1e3' }, 'priority', '"1e3"'],
      ] as const) {
        const refused = await call<ErrorBody>(client, tool, args);
        expect(refused.isError, tool).toBe(true);
        expect(refused.body.error.code).toBe('invalid_argument');
        expect(refused.body.error.message).toContain(`${field}: expected a number such as 5, got ${shown}`);
      }
      const fractional = await call<ErrorBody>(client, 'queue_enqueue', { type: 'nums', priority: '1.5' });
      expect(fractional.body.error).toMatchObject({ code: 'invalid_argument', message: /priority/ });

      const noZone = await call<ErrorBody>(client, 'queue_enqueue', {
        type: 'nums',
        runAt: '2026-11-23T10:00:00',
      });
      expect(noZone.body.error.code).toBe('invalid_argument');
      expect(noZone.body.error.message).toMatch(
        /runAt: must be an ISO-8601 date and time with a UTC offset or Z, e.g. "2026-11-23T10:00:00Z"/,
      );
      const withZone = await ok<{ job: Job }>(client, 'queue_enqueue', {
        type: 'nums',
        runAt: '2026-11-23T11:00:00+01:00',
      });
      expect(withZone.job.runAt).toBe('2026-11-23T10:00:00.000Z');
    },
  );

  it(
    'still advertises number and integer types in tools/list',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const { tools } = await client.listTools();
      const prop = (tool: string, field: string) =>
        (
          tools.find((t) => t.name === tool)!.inputSchema.properties as Record<
            string,
            Record<string, unknown>
          >
        )[field];
      expect(prop('queue_claim', 'waitSeconds')).toMatchObject({ type: 'number', maximum: 50 });
      expect(prop('queue_claim', 'leaseSeconds')).toMatchObject({ type: 'integer', minimum: 1 });
      expect(prop('queue_enqueue', 'priority')).toMatchObject({ type: 'integer' });
      expect(prop('queue_heartbeat', 'progress')).toMatchObject({ type: 'number', maximum: 100 });
      expect(prop('queue_enqueue', 'runAt')).toMatchObject({ type: 'string', format: 'date-time' });
    },
  );
});
