// The stdio process ends when its host goes away: stdin closing, or SIGTERM.
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS } from './harness.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'lifecycle-test', version: '1' },
  },
};

/** Sends initialize and resolves on the answer: the server is up and serving. */
async function initialized(child: ChildProcess): Promise<void> {
  let out = '';
  const answered = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('"id":1')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before answering initialize`)));
  });
  child.stdin!.write(`${JSON.stringify(INITIALIZE)}\n`);
  await answered;
}

describe.each(backendsForSuite())('MCP stdio lifecycle ($name)', (backend) => {
  let h: McpHarness;
  beforeEach(async () => {
    h = await new McpHarness(backend).setup();
  });
  afterEach(() => h.cleanup());

  it('exits cleanly within 2 s of stdin closing', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const child = h.spawn(['mcp']);
    await initialized(child);
    const exited = once(child, 'exit');
    const closedAt = performance.now();
    child.stdin!.end();
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(2_000);
  });

  it('exits cleanly on SIGTERM, also as the default command', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const child = h.spawn([]);
    await initialized(child);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
