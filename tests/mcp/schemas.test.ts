// What tools/list advertises, read as a JSON Schema 2020-12 validator reads it: strict inputs, and
// answers that match their output schemas; and the size of the list per profile, within budget.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { TOOLS_LIST_BUDGETS } from '../../src/mcp/tools-list.js';
import { backendsForSuite } from '../helpers/backends.js';
import { call, McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

interface Claimed {
  job: { id: string };
  lease: { token: string };
}

/** Strict: an unknown keyword or a draft-07-only form fails to compile. */
function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

/** The tools/list result exactly as the server sent it, in bytes, and the tools. */
async function listed(client: Client): Promise<{ bytes: number; tools: Tool[] }> {
  const transport = client.transport!;
  const next = transport.onmessage;
  let bytes = -1;
  transport.onmessage = (message, extra) => {
    const result = (message as { result?: { tools?: unknown } }).result;
    if (result && Array.isArray(result.tools)) bytes = Buffer.byteLength(JSON.stringify(result));
    next?.(message, extra);
  };
  const { tools } = await client.listTools();
  transport.onmessage = next;
  return { bytes, tools };
}

describe.each(backendsForSuite())('MCP tool schemas ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'every answer validates against its 2020-12 output schema; inputs refuse unknown fields',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const { tools } = await listed(client);
      const ajv = validator();
      const inputs = new Map(tools.map((t) => [t.name, ajv.compile(t.inputSchema)]));
      const outputs = new Map(tools.map((t) => [t.name, ajv.compile(t.outputSchema!)]));
      for (const tool of tools) {
        // No $schema: 2020-12 is MCP's default (src/mcp/json-schema.ts).
        expect(tool.inputSchema.$schema, tool.name).toBeUndefined();
        expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
        // Only queue_submit may run as a task; `forbidden` (the default) is left out.
        if (tool.name === 'queue_submit') expect(tool.execution).toEqual({ taskSupport: 'optional' });
        else expect(tool.execution, tool.name).toBeUndefined();
      }

      const used = new Set<string>();
      const answer = async <T>(name: string, args: Record<string, unknown> = {}): Promise<T> => {
        expect(inputs.get(name)!(args), `${name} arguments`).toBe(true);
        const body = await ok<T>(client, name, args);
        const valid = outputs.get(name)!;
        expect(valid(body), `${name}: ${JSON.stringify(valid.errors)}`).toBe(true);
        used.add(name);
        return body;
      };

      const first = await answer<{ job: { id: string } }>('queue_enqueue', {
        type: 'schema.check',
        payload: { n: 1 },
      });
      await answer('queue_enqueue', { type: 'schema.check', payload: { n: 2 } });
      await answer('queue_enqueue', { type: 'schema.check', payload: { n: 3 } });
      await answer('queue_list', { limit: 2 });
      await answer('queue_get', { jobId: first.job.id, events: 5 });
      // Called without a task, submit answers at once; wait with 0 answers the job as it is.
      const submitted = await answer<{ job: { id: string } }>('queue_submit', { type: 'schema.later' });
      await answer('queue_wait', { jobId: submitted.job.id, waitSeconds: 0 });
      await answer('queue_cancel', { jobId: submitted.job.id });
      const lease = async () => {
        const c = await answer<Claimed>('queue_claim', { waitSeconds: 0 });
        return { jobId: c.job.id, leaseToken: c.lease.token };
      };
      const a = await lease();
      await answer('queue_held');
      await answer('queue_heartbeat', { ...a, progress: 40, message: 'half way' });
      await answer('queue_complete', { ...a, result: { ok: true }, resultSummary: 'done' });
      await answer('queue_fail', { ...(await lease()), error: 'cannot', retryable: false });
      const c = await lease();
      await answer('queue_cancel', { jobId: c.jobId, reason: 'not needed' });
      await answer('queue_ack_cancel', c);
      await answer('queue_claim', {}); // nothing left: action "wait"
      await answer('queue_pause', { mode: 'drain', reason: 'schema check' });
      await answer('queue_status', { audit: 2 });
      await answer('queue_resume', { reason: 'schema check' });
      expect([...used].sort()).toEqual(tools.map((t) => t.name).sort());

      // Advertised strict, and refused by the server with its own code, not by the SDK.
      expect(inputs.get('queue_get')!({ jobId: first.job.id, extra: 1 })).toBe(false);
      const refused = await call<{ error: { code: string; message: string } }>(client, 'queue_get', {
        jobId: first.job.id,
        extra: 1,
      });
      expect(refused.isError).toBe(true);
      expect(refused.body.error.code).toBe('invalid_argument');
      expect(refused.body.error.message).toContain('extra');
    },
  );
});

describe('tools/list size', () => {
  const backend = backendsForSuite()[0]!;
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it.each(Object.entries(TOOLS_LIST_BUDGETS))(
    '--tools %s stays within %i bytes',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async (profile, budget) => {
      // Dotted names are as long as snake ones; the profile decides the size.
      const { bytes, tools } = await listed(await h.stdio(['--tools', profile]));
      expect(tools.length).toBeGreaterThan(0);
      expect(bytes, 'the tools/list answer was seen on the wire').toBeGreaterThan(1000);
      expect(bytes, `${profile}: ${bytes} bytes for ${tools.length} tools`).toBeLessThanOrEqual(budget);
    },
  );
});
