// What a host sees at tools/list: names per profile and naming style, valid JSON Schemas, annotations.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, useMcpHarness } from './harness.js';

const ALL = [
  'queue_enqueue',
  'queue_submit',
  'queue_wait',
  'queue_claim',
  'queue_heartbeat',
  'queue_complete',
  'queue_fail',
  'queue_ack_cancel',
  'queue_held',
  'queue_cancel',
  'queue_get',
  'queue_list',
  'queue_pause',
  'queue_resume',
  'queue_status',
];
const WORKER = [
  'queue_claim',
  'queue_heartbeat',
  'queue_complete',
  'queue_fail',
  'queue_ack_cancel',
  'queue_held',
  'queue_get',
  'queue_status',
];
const PRODUCER = [
  'queue_enqueue',
  'queue_submit',
  'queue_wait',
  'queue_cancel',
  'queue_get',
  'queue_list',
  'queue_status',
];

/** A tool's hints as a host reads them: MCP's default where the answer leaves one out. */
const hints = (tool: Tool) => ({
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
  ...tool.annotations,
});

describe.each(backendsForSuite())('MCP tools/list ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'lists every tool with a valid input and output JSON Schema, a description and annotations',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...ALL].sort());
      const ajv = new AjvJsonSchemaValidator();
      for (const tool of tools) {
        expect(tool.name).toMatch(/^[a-z0-9_]+$/);
        expect(tool.description?.length, tool.name).toBeGreaterThan(20);
        expect(tool.inputSchema.type).toBe('object');
        // Compiling throws on an invalid schema.
        expect(() => ajv.getValidator(tool.inputSchema), tool.name).not.toThrow();
        expect(tool.outputSchema, tool.name).toBeDefined();
        expect(() => ajv.getValidator(tool.outputSchema!), tool.name).not.toThrow();
        // Hints equal to MCP's defaults are left out of the answer (src/mcp/tools-list.ts);
        // openWorldHint: false is not a default, and SPEC §10 asks for it on every tool.
        expect(tool.annotations?.openWorldHint, tool.name).toBe(false);
      }
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(hints(byName.queue_get!)).toMatchObject({ readOnlyHint: true });
      expect(hints(byName.queue_cancel!)).toEqual({
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      });
      expect(hints(byName.queue_claim!)).toEqual({
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      });
      // queue_submit may run as an MCP task (its task is a job); every other tool answers directly.
      expect(byName.queue_submit!.execution).toEqual({ taskSupport: 'optional' });
      expect(byName.queue_wait!.execution?.taskSupport ?? 'forbidden').toBe('forbidden');
      // Worker identity comes from the server, never from the agent.
      expect(Object.keys(byName.queue_claim!.inputSchema.properties ?? {})).not.toContain('workerId');
      expect(byName.queue_heartbeat!.inputSchema.required).toEqual(['jobId', 'leaseToken']);
      // The schema a host validates against accepts a well-formed call.
      expect(
        ajv.getValidator(byName.queue_enqueue!.inputSchema)({ type: 'code.review', payload: { pr: 1 } })
          .valid,
      ).toBe(true);
      expect(ajv.getValidator(byName.queue_claim!.inputSchema)({ waitSeconds: 51 }).valid).toBe(false);
    },
  );

  it(
    '--tools worker lists only the worker tools; --tools producer only the producer tools',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const [worker, producer] = await Promise.all([
        h.stdio(['--tools', 'worker']),
        h.stdio([], { AGENT_QUEUE_TOOLS: 'producer' }),
      ]);
      expect((await worker.listTools()).tools.map((t) => t.name).sort()).toEqual([...WORKER].sort());
      expect((await producer.listTools()).tools.map((t) => t.name).sort()).toEqual([...PRODUCER].sort());
      // The worker prompt comes with the worker tools only.
      expect((await worker.listPrompts()).prompts.map((p) => p.name)).toEqual(['work_queue']);
      expect(producer.getServerCapabilities()?.prompts).toBeUndefined();
    },
  );

  it(
    '--tool-names dotted exposes queue.enqueue etc., and they work',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio(['--tool-names', 'dotted', '--tools', 'producer']);
      const names = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(PRODUCER.map((n) => n.replace('queue_', 'queue.')).sort());
      const answer = await client.callTool({ name: 'queue.enqueue', arguments: { type: 'dotted.test' } });
      expect(answer.isError).toBeFalsy();
      expect(client.getInstructions()).toContain('queue.enqueue');
    },
  );
});
