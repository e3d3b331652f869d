// mcp.json.example as a host reads it: the entries that do not need the published package start a
// server that answers tools/list, and every per-host HTTP entry, in that host's own field names,
// reaches a running `serve`. (Config, not queue behaviour: SQLite is enough.)
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { cliEnv } from '../helpers/bin.js';
import { BIN, CLIENT_NAME, MCP_TEST_TIMEOUT_MS, useMcpHarness, type McpHarness } from './harness.js';

interface StdioEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config file: each host has its own shape
type Json = any;

const EXAMPLE: Json = JSON.parse(readFileSync(new URL('../../mcp.json.example', import.meta.url), 'utf8'));
const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;

describe('mcp.json.example', { timeout: MCP_TEST_TIMEOUT_MS }, () => {
  let h: McpHarness;
  useMcpHarness(sqlite, (harness) => (h = harness));

  it('gives Codex a startup timeout above its 10 s default, in every stdio entry', () => {
    for (const toml of [EXAMPLE.codex.toml, EXAMPLE['without-npx'].codex.toml] as string[][]) {
      const line = toml.find((l) => l.startsWith('startup_timeout_sec'));
      expect(Number(line?.split('=')[1])).toBeGreaterThan(10);
    }
  });

  it('starts the server from a clone with the `clone` entry (node + absolute path to the launcher)', async () => {
    const entry: StdioEntry = EXAMPLE['without-npx'].clone.config.mcpServers['agent-queue'];
    expect(entry.command).toBe('node');
    expect(entry.args[0]).toMatch(/^\/.*\/bin\/agent-queue\.js$/);
    const client = h.track(new Client({ name: CLIENT_NAME, version: '1.0.0' }));
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, ...entry.args.slice(1)],
        env: cliEnv(h.env(entry.env)) as Record<string, string>,
        stderr: 'inherit',
      }),
    );
    const { tools } = await client.listTools();
    // The entry's AGENT_QUEUE_TOOLS=worker reached the server.
    expect(tools.map((t) => t.name)).toContain('queue_claim');
    expect(tools.map((t) => t.name)).not.toContain('queue_pause');
  });

  it('reaches a running serve from every per-host HTTP entry, in that host’s field names', async () => {
    const served = await h.serve();
    const http = EXAMPLE.http;
    const urls: Record<string, string> = {
      'claude-code': http['claude-code'].config.mcpServers['agent-queue'].url,
      cursor: http.cursor.config.mcpServers['agent-queue'].url,
      vscode: http.vscode.config.servers['agent-queue'].url,
      windsurf: http.windsurf.config.mcpServers['agent-queue'].serverUrl,
      zed: http.zed.config.context_servers['agent-queue'].url,
      codex: /^url = "(.+)"$/m.exec((http.codex.toml as string[]).join('\n'))![1]!,
    };
    expect(http['claude-code'].config.mcpServers['agent-queue'].type).toBe('http');
    expect(http.vscode.config.servers['agent-queue'].type).toBe('http');
    for (const [host, url] of Object.entries(urls)) {
      expect(url, host).toBe('http://127.0.0.1:8787/mcp');
      // Same path on the port this test's serve got.
      const target = new URL(new URL(url).pathname, served.base);
      const client = h.track(new Client({ name: `${CLIENT_NAME}-${host}`, version: '1.0.0' }));
      await client.connect(new StreamableHTTPClientTransport(target));
      expect((await client.listTools()).tools.length, host).toBeGreaterThan(0);
    }
  });
});
