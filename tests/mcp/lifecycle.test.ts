// The stdio process ends when its host goes away: stdin closing, or SIGTERM.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP stdio lifecycle ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it('exits cleanly within 2 s of stdin closing', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    // Up and serving: it answered initialize.
    const { child } = await h.raw(['mcp']);
    const exited = once(child, 'exit');
    const closedAt = performance.now();
    child.stdin!.end();
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(2_000);
  });

  it('exits cleanly on SIGTERM, also as the default command', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const { child } = await h.raw([]);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
