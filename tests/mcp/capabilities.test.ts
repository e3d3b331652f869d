// The capabilities a host reads at initialize: only what the server really does. A session's tool,
// resource and prompt lists never change, so no list_changed notification is promised.
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP capabilities ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it('declares no listChanged over stdio and HTTP', { timeout: MCP_TEST_TIMEOUT_MS }, async () => {
    const worker = await h.stdio(['--tools', 'worker']);
    expect(worker.getServerCapabilities()).toMatchObject({
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
    });
    // The producer profile offers no prompt, so it declares none.
    const producer = await h.stdio(['--tools', 'producer']);
    const caps = producer.getServerCapabilities()!;
    expect(caps.prompts).toBeUndefined();
    expect(caps.tools?.listChanged).toBe(false);
    expect(caps.resources?.listChanged).toBe(false);
    expect(caps.resources?.subscribe).toBeUndefined();

    const served = await h.serve();
    const { client } = await h.http(served.base);
    const http = client.getServerCapabilities()!;
    expect(http.tools?.listChanged).toBe(false);
    expect(http.resources?.listChanged).toBe(false);
  });
});
