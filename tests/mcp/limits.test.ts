// Limits and input fidelity through a real stdio MCP server: list summaries, a result over the
// limit, error messages that do not echo megabytes, too-deep JSON, and an own "__proto__" key sent
// as a raw JSON-RPC line and read back with queue_get.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job, JobPage } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';
import { toolBody } from './raw-stdio.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe.each(backendsForSuite())('MCP limits ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'lists summaries, refuses a 5 MiB result and a 5 MB unknown key briefly, and keeps serving',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      await ok(client, 'queue_enqueue', { type: 'report', payload: { task: 'p' } });
      const summaries = await ok<JobPage>(client, 'queue_list');
      expect(summaries.jobs).toHaveLength(1);
      expect(summaries.jobs[0]).not.toHaveProperty('payload');
      expect(summaries.jobs[0]).not.toHaveProperty('result');
      const full = await ok<JobPage<Job>>(client, 'queue_list', { full: true });
      expect(full.jobs[0]!.payload).toEqual({ task: 'p' });

      const claimed = await ok<ClaimAnswer>(client, 'queue_claim');
      const tooBig = await call<ErrorBody>(client, 'queue_complete', {
        jobId: claimed.job!.id,
        leaseToken: claimed.lease!.token,
        result: { out: 'x'.repeat(5 * 1024 * 1024) },
      });
      expect(tooBig.isError).toBe(true);
      expect(tooBig.body.error.code).toBe('payload_too_large');
      expect(tooBig.body.error.message).toMatch(/^result is \d+ bytes; the limit is 262144\./);
      expect(tooBig.body.error.details).toMatchObject({ limit: 262144 });
      const still = await ok<{ job: Job }>(client, 'queue_get', { jobId: claimed.job!.id });
      expect(still.job.status).toBe('running');

      const hugeKey = await call<ErrorBody>(client, 'queue_enqueue', {
        type: 't',
        ['k'.repeat(5 * 1024 * 1024)]: 1,
      });
      expect(hugeKey.body.error.code).toBe('invalid_argument');
      expect(hugeKey.body.error.message).toContain(`"${'k'.repeat(80)}… (${5 * 1024 * 1024} characters)"`);
      expect(JSON.stringify(hugeKey.raw).length).toBeLessThan(500);
    },
  );

  it(
    'keeps an own "__proto__" key sent as raw JSON, and refuses 5,000-deep JSON',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const rpc = await h.raw();
      const enqueued = await rpc.request(
        'tools/call',
        '{"name":"queue_enqueue","arguments":{"type":"proto","payload":{"__proto__":{"x":1},"a":1}}}',
      );
      const { job } = toolBody(enqueued) as { job: Job };
      const read = await rpc.request('tools/call', `{"name":"queue_get","arguments":{"jobId":"${job.id}"}}`);
      for (const payload of [
        job.payload,
        (toolBody(read) as { job: Job }).job.payload,
        ((read.result as { structuredContent: { job: Job } }).structuredContent.job as Job).payload,
      ]) {
        expect(Object.keys(payload).sort()).toEqual(['__proto__', 'a']);
        expect(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value).toEqual({ x: 1 });
        expect(payload.a).toBe(1);
      }

      const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
      const refused = await rpc.request(
        'tools/call',
        `{"name":"queue_enqueue","arguments":{"type":"deep","payload":${deep}}}`,
      );
      expect((refused.result as { isError?: boolean }).isError).toBe(true);
      expect(toolBody(refused)).toMatchObject({
        error: {
          code: 'invalid_argument',
          message: expect.stringMatching(/payload is nested deeper than 64 levels/),
        },
      });
      // The server still serves.
      const again = await rpc.request('tools/call', `{"name":"queue_get","arguments":{"jobId":"${job.id}"}}`);
      expect((toolBody(again) as { job: Job }).job.id).toBe(job.id);
    },
  );
});
