// Shared by the MCP benchmarks: spawn the built stdio server on a throwaway database, as a host would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const BIN = fileURLToPath(new URL('../bin/agent-queue.js', import.meta.url));
const PG_URL = process.env.AGENT_QUEUE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database: a SQLite file in a temp folder, or a new schema in PostgreSQL. */
export async function throwawayDatabase(kind) {
  if (kind === 'postgres') {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    return {
      env: { DATABASE_URL: PG_URL, AGENT_QUEUE_PG_SCHEMA: schema },
      async drop() {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'agent-queue-bench-'));
  return {
    env: { DATABASE_URL: `sqlite://${join(dir, 'queue.db')}` },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `agent-queue mcp <args>` over stdio with the SDK client; `onMessage` sees every message the server sends. */
export async function connect(env, args = [], onMessage) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    env: { ...env, AGENT_QUEUE_LOG_LEVEL: 'warn' },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'agent-queue-bench', version: '1.0.0' });
  await client.connect(transport);
  if (onMessage) {
    const next = transport.onmessage;
    transport.onmessage = (message, extra) => {
      onMessage(message);
      next?.(message, extra);
    };
  }
  return client;
}
