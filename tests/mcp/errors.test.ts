// Bad calls are answered with isError and a stable code, and the server keeps serving.
import { describe, expect, it } from 'vitest';
import type { ClaimAnswer, StatusAnswer } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

interface ErrorBody {
  error: { code: string; message: string };
}

describe.each(backendsForSuite())('MCP errors ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'answers bad arguments with isError and the code, and still serves afterwards',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio(['--types', 'code.review,docs.write']);
      const cases: [string, Record<string, unknown>, string, RegExp][] = [
        ['queue_claim', { waitSeconds: 999 }, 'invalid_argument', /waitSeconds/],
        ['queue_claim', { types: 'code.review' }, 'invalid_argument', /types/],
        [
          'queue_claim',
          { types: ['deploy'] },
          'forbidden',
          /code\.review, docs\.write.*set by this server's --types flag or AGENT_QUEUE_TYPES\.$/,
        ],
        ['queue_heartbeat', { jobId: 'x' }, 'invalid_argument', /leaseToken/],
        [
          'queue_heartbeat',
          { jobId: 'x', leaseToken: 'y', note: 'hi' },
          'invalid_argument',
          /unknown field.*"note"/,
        ],
        ['queue_enqueue', { type: 'Bad Type!' }, 'invalid_argument', /type/],
        ['queue_enqueue', { type: 'a', payload: 'not an object' }, 'invalid_argument', /payload/],
        ['queue_enqueue', { type: 'a', runAt: 'tomorrow' }, 'invalid_argument', /runAt/],
        [
          'queue_get',
          { jobId: '01900000-0000-7000-8000-000000000000' },
          'not_found',
          /^No job .* queue_list shows the ids of recent jobs\.$/,
        ],
        ['queue_list', { cursor: 'garbage' }, 'invalid_argument', /cursor/],
        ['queue_resume', { reason: 'nothing paused' }, 'job_state_conflict', /not paused/],
      ];
      for (const [tool, args, code, message] of cases) {
        const answer = await call<ErrorBody>(client, tool, args);
        expect(answer.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
        expect(answer.body.error.code, `${tool} ${JSON.stringify(args)}`).toBe(code);
        expect(answer.body.error.message).toMatch(message);
        expect(answer.raw.structuredContent).toBeUndefined();
      }
      // An unknown tool is a JSON-RPC error (tool-calls.test.ts), also without taking the server down.
      await expect(client.callTool({ name: 'queue_nope', arguments: {} })).rejects.toMatchObject({
        code: -32602,
      });

      const status = await ok<StatusAnswer>(client, 'queue_status');
      expect(status.system.workersPaused).toBe(false);
      const claim = await ok<ClaimAnswer>(client, 'queue_claim');
      expect(claim.action).toBe('wait');
    },
  );

  it(
    'caps an unknown key it repeats, so a huge key cannot flood the context',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const key = `start-of-the-key-${'k'.repeat(100_000)}`;
      const answer = await call<ErrorBody>(client, 'queue_enqueue', { type: 'a', [key]: 1 });
      expect(answer.isError).toBe(true);
      expect(answer.body.error.code).toBe('invalid_argument');
      expect(answer.body.error.message).toContain('"start-of-the-key-kkk');
      expect(answer.body.error.message).toContain(`… (${key.length} characters)`);
      const text = (answer.raw.content as { text: string }[])[0]!.text;
      expect(text.length).toBeLessThan(1024);
    },
  );
});
