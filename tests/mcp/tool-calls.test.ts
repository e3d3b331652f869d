// A tools/call the server cannot serve is a JSON-RPC error -32602 (Invalid params), as MCP wants:
// an unknown tool, a missing name, arguments that are not an object. Short, and it names the tools.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import type { StatusAnswer } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

async function refusal(client: Client, name: string): Promise<McpError> {
  const err = await client.callTool({ name, arguments: {} }).then(
    (answer) => new Error(`expected a JSON-RPC error, got ${JSON.stringify(answer)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(McpError);
  return err as McpError;
}

async function expectUnknownToolRefused(client: Client, offered: RegExp): Promise<void> {
  const err = await refusal(client, 'queue_nope');
  expect(err.code).toBe(-32602);
  expect(err.message).toMatch(/Unknown tool "queue_nope"/);
  expect(err.message).toMatch(offered);
  // A huge name is repeated only in part.
  const huge = await refusal(client, `huge-${'n'.repeat(100_000)}`);
  expect(huge.code).toBe(-32602);
  expect(huge.message).toContain('Unknown tool "huge-nnn');
  expect(huge.message.length).toBeLessThan(1024);
  // The session goes on.
  expect((await ok<StatusAnswer>(client, 'queue_status')).system.workersPaused).toBe(false);
}

describe.each(backendsForSuite())('MCP tools/call refusals ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it('refuses an unknown tool with -32602 over stdio', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const worker = await h.stdio(['--tools', 'worker']);
    await expectUnknownToolRefused(worker, /offers queue_claim, queue_heartbeat, .*queue_status/);
    // A tool of another profile is unknown here.
    expect((await refusal(worker, 'queue_enqueue')).code).toBe(-32602);
    // `all` lists its first tools and counts the rest.
    await expectUnknownToolRefused(await h.stdio(['--tools', 'all']), /and \d+ more; tools\/list/);
  });

  it('refuses an unknown tool with -32602 over HTTP', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const served = await h.serve();
    const { client } = await h.http(served.base);
    await expectUnknownToolRefused(client, /offers .*queue_claim/);
  });

  it(
    'refuses a call without a name or with non-object arguments with -32602 (raw stdio)',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const raw = await h.raw(['mcp', '--tools', 'worker']);
      const cases: [string, RegExp][] = [
        ['{"arguments":{}}', /needs "name"/],
        ['{"name":42,"arguments":{}}', /needs "name"/],
        ['{"name":"","arguments":{}}', /needs "name"/],
        ['{"name":"queue_status","arguments":"x"}', /"arguments" of queue_status must be a JSON object/],
        ['{"name":"queue_status","arguments":[1]}', /must be a JSON object/],
        ['{"name":"queue_status","arguments":null}', /must be a JSON object/],
        ['{"name":"queue_status","task":"x"}', /Invalid tools\/call request/],
      ];
      for (const [params, message] of cases) {
        const answer = await raw.request('tools/call', params);
        expect(answer.error?.code, params).toBe(-32602);
        expect(answer.error?.message, params).toMatch(message);
        expect(answer.error?.message.length, params).toBeLessThan(1024);
        expect(answer.error?.data, params).toEqual({ code: 'invalid_argument' });
      }
      await raw.write('{"jsonrpc":"2.0","id":"no-params","method":"tools/call"}\n');
      const bare = await raw.answerFor('no-params');
      expect(bare.error?.code).toBe(-32602);
      expect(bare.error?.message).toMatch(/needs params/);
      // Still serving; arguments may be left out.
      const status = await raw.request('tools/call', '{"name":"queue_status"}');
      expect(status.result).toBeDefined();
    },
  );
});
