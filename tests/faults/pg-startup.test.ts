// Starting while the database is not usable: PostgreSQL down (the MCP server must start anyway and
// recover by itself), a refused login or an unknown database, a SQLite file or folder the process
// may not write or read. Each answer names the setting to fix; none is a stack trace.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { TestDb } from '../helpers/backends.js';
import { cliEnv, type CliResult } from '../helpers/cli.js';
import { BIN } from '../mcp/harness.js';
import { McpChild, type ErrorBody } from './mcp-child.js';
import { pollUntil } from './poll.js';
import { PG_BINARIES, usePrivatePostgres } from './private-pg.js';
import { reportFaults } from './report.js';

/** `agent-queue <args>` with exactly `env`, optionally as another user. */
async function cli(env: Record<string, string>, args: string[], uid?: number): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 20_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  if (r.timedOut) throw new Error(`agent-queue ${args.join(' ')} did not finish in 20 s`);
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `error [code]: message` -> its parts; anything else (several lines, a stack) does not match. */
function cliError(r: CliResult): { code: string; message: string } | null {
  const m = /^error \[([a-z_]+)\]: (.+)$/.exec(r.stderr.trim());
  return m ? { code: m[1]!, message: m[2]! } : null;
}

const STACK_LINE = /^\s+at /m;

const servers: McpChild[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function startServer(env: Record<string, string>, uid?: number): Promise<McpChild> {
  const s = await McpChild.start(env, uid === undefined ? {} : { uid });
  servers.push(s);
  return s;
}

describe.skipIf(!PG_BINARIES)('PostgreSQL start-up faults', () => {
  const pg = usePrivatePostgres();
  const home = mkdtempSync(join(tmpdir(), 'agent-queue-startup-home-'));
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('an MCP server started while PostgreSQL is down starts, says unavailable, then works by itself', async () => {
    // A fresh, never migrated database: the server can only migrate once PostgreSQL is up.
    db = await pg.pgi.backend().create();
    const env = { ...db.env, AGENT_QUEUE_HOME: home };
    await pg.pgi.stop({ mode: 'fast' });
    let server: McpChild;
    let toolNames: string[];
    let down;
    try {
      server = await startServer(env);
      toolNames = (await server.client.listTools()).tools.map((t) => t.name);
      down = await server.tool<ErrorBody>('queue_list');
    } finally {
      await pg.pgi.start();
    }
    const upAt = performance.now();
    const enqueued = await pollUntil(
      () => server.tool<{ job: { id: string } }>('queue_enqueue', { type: 'startup.pg', payload: {} }),
      (r) => !r.isError,
      20_000,
    );
    const recoveredMs = Math.round(performance.now() - upAt);
    const claimed = await server.tool<{ job: { id: string } | null }>('queue_claim');
    reportFaults('pg-startup-down', 'postgres', {
      jobs: 1,
      faults: 1,
      duplicates: 0,
      lost: enqueued.isError ? 1 : 0,
      stuck: 0,
      crashes: server.crashed ? 1 : 0,
      extra: { firstAnswer: down.body.error?.code ?? 'ok', recoveredMs },
    });
    expect(toolNames).toContain('queue_enqueue');
    expect(down.isError).toBe(true);
    expect(down.body.error.code).toBe('unavailable');
    expect(down.body.error.message).toContain('DATABASE_URL');
    expect(enqueued.isError).toBe(false);
    expect(claimed.body.job?.id).toBe(enqueued.body.job.id);
  });

  const refusals = [
    {
      what: 'a wrong password',
      url: (pgDb: string) => pg.pgi.url('aq', pgDb, { password: 'not-the-password' }),
      mentions: [/^DATABASE_URL: /, /password/i],
    },
    {
      what: 'an unknown database',
      url: () => pg.pgi.url('postgres', 'no_such_db'),
      mentions: [/DATABASE_URL/, /no_such_db/],
    },
  ];

  it.each(refusals)(
    '$what: invalid_argument naming the setting, from the CLI and an MCP server',
    async (c) => {
      db = await pg.pgi.backend().create();
      const env = {
        DATABASE_URL: c.url(new URL(db.env.DATABASE_URL!).pathname.slice(1)),
        AGENT_QUEUE_HOME: home,
      };
      const message = await expectConfigError(c.what, env);
      for (const m of c.mentions) expect(message).toMatch(m);
    },
  );
});

// ---- SQLite: a file or folder this user may not write or read -------------------------------

// File modes do not stop root: the child runs as `nobody` so that a read-only file is real.
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const canUseModes = typeof process.getuid === 'function';
if (!canUseModes) console.warn('\n!!! no POSIX users here: SQLITE PERMISSION SCENARIOS ARE SKIPPED !!!\n');

interface Place {
  env: Record<string, string>;
  /** The path the answer must name. */
  path: string;
}

const own = (path: string) => {
  if (asRoot) chownSync(path, NOBODY, NOBODY);
};

/** A migrated SQLite file at `path`, then closed (no -wal/-shm left). */
async function migratedFile(path: string): Promise<void> {
  const store = openStore({ kind: 'sqlite', path });
  await store.migrate();
  await store.close();
}

const sqliteCases: { what: string; make(dir: string): Promise<Place> }[] = [
  {
    what: 'a read-only file',
    async make(dir) {
      const path = join(dir, 'queue.db');
      await migratedFile(path);
      own(dir);
      own(path);
      chmodSync(path, 0o444);
      return { env: { DATABASE_URL: `sqlite://${path}`, AGENT_QUEUE_HOME: dir }, path };
    },
  },
  {
    what: 'a read-only folder (first start, no file yet)',
    async make(dir) {
      // The default home: AGENT_QUEUE_HOME names the folder, the file would be created in it.
      const folder = join(dir, 'home');
      mkdirSync(folder, { mode: 0o555 });
      chmodSync(folder, 0o555);
      return { env: { AGENT_QUEUE_HOME: folder }, path: folder };
    },
  },
  {
    what: 'an unreadable file',
    async make(dir) {
      const path = join(dir, 'queue.db');
      await migratedFile(path);
      own(dir);
      chmodSync(path, 0o000);
      return { env: { DATABASE_URL: `sqlite://${path}`, AGENT_QUEUE_HOME: dir }, path };
    },
  },
];

describe.skipIf(!canUseModes)('SQLite start-up faults (file permissions)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it.each(sqliteCases)('$what: invalid_argument naming the path and the setting, CLI and MCP', async (c) => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-queue-sqlite-perm-'));
    dirs.push(dir);
    // The unprivileged user must be able to reach what is inside.
    chmodSync(dir, 0o755);
    const place = await c.make(dir);
    const uid = asRoot ? NOBODY : undefined;
    const message = await expectConfigError(c.what, place.env, uid);
    expect(message).toContain(place.path);
    expect(message).toMatch(/DATABASE_URL|AGENT_QUEUE_HOME/);
  });
});

/**
 * A configuration the database refuses: the CLI prints one coded line (exit 1, no stack), and an MCP
 * server started with it stays up and answers a tool call with the same code and message, which is
 * returned for the caller's own checks.
 */
async function expectConfigError(what: string, env: Record<string, string>, uid?: number): Promise<string> {
  const r = await cli(env, ['list'], uid);
  const server = await startServer(env, uid).catch((err: Error) => err);
  const answer = server instanceof McpChild ? await server.tool<ErrorBody>('queue_list') : null;
  console.log(
    `${what}: CLI exit ${r.code}, stderr: ${r.stderr.slice(0, 400)}\n` +
      `  MCP: ${answer ? JSON.stringify(answer.body) : (server as Error).message.slice(0, 600)}`,
  );
  const err = cliError(r);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(err?.code).toBe('invalid_argument');
  expect(server).toBeInstanceOf(McpChild);
  expect(answer?.isError).toBe(true);
  expect(answer?.body.error).toEqual({ code: 'invalid_argument', message: err?.message });
  return err?.message ?? '';
}
