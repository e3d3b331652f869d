// The first hour at a terminal, as real processes: a mistyped command gets a suggestion, --version
// answers, JSON too big for argv comes from a file or stdin, a taken port and a misconfigured
// PostgreSQL each say in one line which setting to fix.
import { spawn } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendsForSuite, PG_URL, useTestQueue } from '../helpers/backends.js';
import { BIN, cliEnv } from '../helpers/bin.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli, type CliResult } from '../helpers/cli.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';

function expectOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

/** The CLI with `input` on its stdin (runCli gives it none). */
async function runWithStdin(env: Record<string, string>, args: string[], input: string): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    extendEnv: false,
    reject: false,
    input,
    timeout: 20_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('cli launch path', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  let dir: TempDir;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = makeTempDir('cli-launch');
    env = { DATABASE_URL: `sqlite://${join(dir.path, 'queue.db')}` };
  });
  afterAll(() => dir.remove());

  it('names an unknown command and suggests the nearest one, instead of blaming mcp', async () => {
    const r = await runCli(env, ['lsit']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command 'lsit' \(did you mean list\?\)\n/);
    expect(r.stderr).not.toMatch(/mcp/);
    // Global options before the word do not change that.
    expect((await runCli(env, ['--json', 'statsu'])).stderr).toMatch(
      /unknown command 'statsu' \(did you mean status\?\)/,
    );
  });

  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const r = await runCli(env, [flag]);
      expect(r).toMatchObject({ code: 0, stdout: pkg.version, stderr: '' });
    }
  });

  it('says in one line that the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      expectOneLineError(
        await runCli(env, ['serve', '--port', String(port)]),
        1,
        new RegExp(`^error \\[invalid_argument\\]: port ${port} on 127\\.0\\.0\\.1 is in use; pass --port`),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('reads --payload from a file and refuses a missing file in one line', async () => {
    const file = join(dir.path, 'payload.json');
    writeFileSync(file, JSON.stringify({ repo: 'acme/api', pr: 42 }));
    const { job } = await cliJson<{ job: { id: string } }>(env, [
      '--json',
      'enqueue',
      'a',
      '--payload',
      `@${file}`,
    ]);
    const got = await cliJson<{ job: { payload: unknown } }>(env, ['--json', 'get', job.id]);
    expect(got.job.payload).toEqual({ repo: 'acme/api', pr: 42 });
    expectOneLineError(
      await runCli(env, ['enqueue', 'a', '--payload', `@${join(dir.path, 'missing.json')}`]),
      2,
      /--payload.*cannot read JSON from file ".*missing\.json" \(ENOENT\)/,
    );
  });

  it('refuses - when stdin is a terminal, and - given twice, in one line', async () => {
    // `script` gives the CLI a pseudo-terminal as stdin (and stdout/stderr, hence one stream).
    const cmd = [process.execPath, BIN, 'enqueue', 'a', '--payload', '-'].map((a) => `'${a}'`).join(' ');
    const tty = await execa('script', ['-qec', cmd, '/dev/null'], {
      env: cliEnv(env),
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });
    expect(tty.timedOut, 'waited for a terminal to type JSON').toBe(false);
    expect(tty.exitCode).toBe(2);
    expect(tty.stdout).toMatch(/--payload.*stdin, which is a terminal: pipe the JSON in, or use @file/);

    expectOneLineError(
      await runWithStdin(env, ['enqueue', 'a', '--payload', '-', '--payload', '-'], '{}'),
      2,
      /--payload.*- given twice: stdin can be read only once/,
    );
  });

  it('stops reading stdin or a file at the payload limit: payload_too_large, in one line', async () => {
    const small = { ...env, AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: '1024' };
    // stdin that never ends: the CLI must give up at the limit, not wait for the end.
    const child = spawn(process.execPath, [BIN, 'enqueue', 'a', '--payload', '-'], {
      env: cliEnv(small),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.on('error', () => {}); // the CLI closes its end once it refused
    // It reads up to 16 MiB (a file of a value within the limit may be several times larger than
    // its compact JSON); send more than that, without ever ending the JSON.
    child.stdin.write(`{"text":"`);
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 17 && child.exitCode === null; i++) child.stdin.write(chunk);
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
    );
    child.stdin.destroy();
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(
      /^error \[payload_too_large\]: --payload from stdin is more than 16777216 bytes, past what can hold a value within the limit of 1024 bytes .*AGENT_QUEUE_PAYLOAD_LIMIT_BYTES/,
    );

    // A sparse 8 GiB file: refused from its size, without reading it (reading would fail otherwise).
    const huge = join(dir.path, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 8 * 1024 ** 3);
    expectOneLineError(
      await runCli(small, ['complete', 'some-id', '--lease-token', 't', '--result', `@${huge}`]),
      1,
      /^error \[payload_too_large\]: --result from file ".*huge\.json" is 8589934592 bytes, past what can hold a value within the limit of 1024 bytes/,
    );
    // The limit is on the value's compact JSON, as for an inline flag: an indented file of a value
    // within it is accepted, and one past it is refused by the queue, naming the real size.
    const indented = join(dir.path, 'indented.json');
    const within = { items: Array.from({ length: 40 }, (_, i) => ({ n: i })) };
    writeFileSync(indented, JSON.stringify(within, null, 8));
    expect(JSON.stringify(within).length).toBeLessThan(1024);
    const accepted = await runCli(small, ['enqueue', 'a', '--payload', `@${indented}`]);
    expect(accepted.code, accepted.stderr).toBe(0);
    const past = join(dir.path, 'past.json');
    writeFileSync(past, JSON.stringify({ text: 'y'.repeat(2000) }));
    expectOneLineError(
      await runCli(small, ['enqueue', 'a', '--payload', `@${past}`]),
      1,
      /^error \[payload_too_large\]: /,
    );
    expectOneLineError(
      await runWithStdin(env, ['enqueue', 'a', '--payload', '-'], '[1, 2]'),
      1,
      /^error \[invalid_argument\]: --payload from stdin: expected a JSON object/,
    );
  });
});

describe.each(backendsForSuite())(
  'cli JSON from stdin ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let env: Record<string, string>;
    useTestQueue(backend, (opened) => (env = opened.db.env));

    it('takes a payload above the argv limit from stdin, and a result from stdin', async () => {
      // ~200 KiB: more than one argv string may hold (128 KiB on Linux), less than the 256 KiB limit.
      const payload = { text: 'x'.repeat(200 * 1024) };
      const enq = await runWithStdin(
        env,
        ['--json', 'enqueue', 'big', '--payload', '-'],
        JSON.stringify(payload),
      );
      expect(enq.code, enq.stderr).toBe(0);
      const { job } = JSON.parse(enq.stdout) as { job: { id: string } };
      const claim = await cliJson<{ job: { id: string }; lease: { token: string } }>(env, [
        'claim',
        '--worker-id',
        'w',
      ]);
      expect(claim.job.id).toBe(job.id);
      const done = await runWithStdin(
        env,
        ['complete', job.id, '--lease-token', claim.lease.token, '--result', '-'],
        '{"ok":true}',
      );
      expect(done.code, done.stderr).toBe(0);
      const got = await cliJson<{ job: { payload: { text: string }; result: unknown } }>(env, [
        '--json',
        'get',
        job.id,
      ]);
      expect(got.job.payload.text).toHaveLength(200 * 1024);
      expect(got.job.result).toEqual({ ok: true });
    });
  },
);

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe.skipIf(!postgres.available)(
  'cli PostgreSQL configuration errors',
  { timeout: CLI_TEST_TIMEOUT_MS },
  () => {
    const url = new URL(PG_URL);
    const withUrl = (change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      return u.toString();
    };

    it('names the setting to fix for a missing database, user, schema or host', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [
          { DATABASE_URL: withUrl((u) => (u.pathname = '/no_such_db_aq')) },
          /^error \[invalid_argument\]: DATABASE_URL: database "no_such_db_aq" does not exist .*\(createdb no_such_db_aq\)/,
        ],
        [
          { DATABASE_URL: withUrl((u) => (u.username = 'no_such_user_aq')) },
          /^error \[invalid_argument\]: DATABASE_URL: .* refused the login for user "no_such_user_aq"/,
        ],
        [
          { DATABASE_URL: PG_URL, AGENT_QUEUE_PG_SCHEMA: 'no_such_schema_aq' },
          /^error \[invalid_argument\]: AGENT_QUEUE_PG_SCHEMA: schema "no_such_schema_aq" does not exist/,
        ],
        [
          { DATABASE_URL: withUrl((u) => (u.hostname = 'no-such-host.invalid')) },
          /^error \[invalid_argument\]: DATABASE_URL: the host "no-such-host\.invalid" .* not known to DNS/,
        ],
      ];
      for (const [caseEnv, pattern] of cases) expectOneLineError(await runCli(caseEnv, ['list']), 1, pattern);
    });
  },
);

describe.each(backendsForSuite())(
  'mcp, a session over at once ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let env: Record<string, string>;
    useTestQueue(backend, (opened) => (env = opened.db.env));

    it('exits 0 with nothing but the shutdown line: a first connect cut short is no warning', async () => {
      // stdin already closed: the lazy first connect (slow on PostgreSQL) is still under way when the
      // store closes; it failed with "the store is closed", logged as a failed background sweep.
      for (let i = 0; i < 3; i++) {
        const r = await runWithStdin(env, ['mcp'], '');
        expect(r.code, r.stderr).toBe(0);
        const levels = r.stderr
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; msg: string });
        expect(
          levels.filter((l) => l.level >= 40),
          r.stderr,
        ).toEqual([]);
      }
    });
  },
);
