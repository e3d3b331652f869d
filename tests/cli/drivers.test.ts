// pg is loaded only for a PostgreSQL target: a SQLite command (reading its settings included)
// never imports it. A loader hook in the child records every module it imports; the PostgreSQL
// run shows that the hook does see pg when it is loaded. (The SQLite driver is loaded with require()
// when a SQLite file is first opened, and better-sqlite3 only where Node has no node:sqlite:
// store/sqlite-driver.ts.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestDb } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliEnv } from '../helpers/cli.js';

const BIN = fileURLToPath(new URL('../../bin/agent-queue.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('../fixtures/module-log.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'agent-queue-drivers-'));
const dbs: TestDb[] = [];

afterAll(async () => {
  await Promise.all(dbs.map((db) => db.drop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `agent-queue <args>` and returns the URLs of the modules it imported. */
async function modulesLoadedBy(env: Record<string, string>, args: string[]): Promise<string[]> {
  const log = join(dir, `modules-${dbs.length}-${args.join('-')}.log`);
  const r = await execa(process.execPath, ['--import', PRELOAD, BIN, ...args], {
    env: cliEnv({ ...env, MODULE_LOG: log }),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 20_000,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const urls = readFileSync(log, 'utf8').trim().split('\n');
  // The hook saw the command itself (the bundle bin runs): an empty log would prove nothing.
  expect(urls.some((u) => /\/dist\/bundle\/.+\.js$/.test(u))).toBe(true);
  return urls;
}

const loads = (urls: string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe.each(BACKENDS)('drivers loaded by a $name command', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  it.skipIf(!backend.available)('loads pg only for PostgreSQL', async () => {
    const db = await backend.create();
    dbs.push(db);
    const urls = await modulesLoadedBy({ ...db.env, AGENT_QUEUE_HOME: dir }, ['status']);
    expect(loads(urls, 'pg'), 'pg loaded').toBe(backend.name === 'postgres');
  });
});
