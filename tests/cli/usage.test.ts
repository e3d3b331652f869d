// How the CLI fails: bad flags and JSON, bad or unreachable databases, queue errors, each as one
// line on stderr with its exit code (2 command line, 1 queue error, 3 unavailable); stdout
// carries only answers.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, runCli, type CliResult } from '../helpers/cli.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';

function expectOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

/** A local TCP port nothing listens on: bind an ephemeral one, then free it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('cli command line and connection errors', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  let dir: TempDir;
  let env: Record<string, string>;
  let dbFile: string;

  beforeAll(() => {
    dir = makeTempDir('cli');
    dbFile = join(dir.path, 'never.db');
    env = { DATABASE_URL: `sqlite://${dbFile}` };
  });
  afterAll(() => dir.remove());

  it('lists every command in --help', async () => {
    const r = await runCli(env, ['--help']);
    expect(r.code).toBe(0);
    for (const name of ['enqueue', 'list', 'get', 'events', 'cancel', 'retry', 'pause', 'resume', 'status']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    for (const name of ['claim', 'heartbeat', 'complete', 'fail', 'ack-cancel', 'held', 'migrate']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it('rejects bad flags and bad JSON with one line and exit 2, before opening the database', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['enqueue', 'a', '--payload', '{bad'],
        /^error: option '--payload <json>' argument '\{bad' is invalid\. not valid JSON/,
      ],
      [['enqueue', 'a', '--payload', '[1,2]'], /--payload.*expected a JSON object/],
      [['enqueue', 'a', '--priority', '12abc'], /--priority.*'12abc' is invalid\. expected a whole number/],
      [['list', '--limit', '1.5'], /--limit.*expected a whole number/],
      [['list', '--status', 'bogus'], /--status.*'bogus' is invalid\. Allowed choices are queued, running/],
      [['complete', 'id', '--lease-token', 't', '--result', '{"a":'], /--result.*not valid JSON/],
      [['heartbeat', 'id', '--lease-token', 't', '--progress', '5%'], /--progress.*expected a number/],
      [
        ['enqueue', 'a', '--run-at', '2030-01-01T00:00:00Z', '--delay', '5'],
        /'--run-at <iso>' cannot be used with/,
      ],
      [['pause', '--mode', 'drain'], /required option '--reason <text>' not specified/],
      [['list', '--bogus'], /^error: unknown option '--bogus'/],
    ];
    for (const [args, pattern] of cases) expectOneLineError(await runCli(env, args), 2, pattern);
    expect(existsSync(dbFile)).toBe(false);
  });

  it('names DATABASE_URL when it is wrong, in one line with exit 1', async () => {
    expectOneLineError(
      await runCli({ DATABASE_URL: 'mysql://db/queue' }, ['list']),
      1,
      /^error \[invalid_argument\]: DATABASE_URL: unsupported scheme "mysql:"/,
    );
    expectOneLineError(
      await runCli({}, ['--database-url', 'sqlite://relative/queue.db', 'status']),
      1,
      /^error \[invalid_argument\]: DATABASE_URL: SQLite needs an absolute path/,
    );
  });

  it('reports an unreachable PostgreSQL as error [unavailable] with exit 3', async () => {
    const port = await closedPort();
    const r = await runCli({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/queue` }, ['enqueue', 'a']);
    expectOneLineError(r, 3, /^error \[unavailable\]: Cannot use PostgreSQL at .*ECONNREFUSED.*DATABASE_URL/);
  });
});

describe.each(backendsForSuite())(
  'cli answers and queue errors ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let env: Record<string, string>;

    useTestQueue(backend, (opened) => {
      // Debug logging on: whatever is logged must go to stderr, never into an answer.
      env = { ...opened.db.env, AGENT_QUEUE_LOG_LEVEL: 'debug' };
    });

    it('prints exactly one JSON answer on stdout and nothing on stderr', async () => {
      for (const args of [
        ['--json', 'enqueue', 'a'],
        ['--json', 'list'],
        ['claim', '--worker-id', 'w'],
        ['--json', 'status'],
      ]) {
        const r = await runCli(env, args);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expect(() => JSON.parse(r.stdout) as unknown, r.stdout).not.toThrow();
      }
    });

    it('prints queue errors as error [code]: message with exit 1', async () => {
      expectOneLineError(
        await runCli(env, ['enqueue', 'Bad_Type']),
        1,
        /^error \[invalid_argument\]: Invalid enqueue arguments: type: must be lowercase/,
      );
      expectOneLineError(
        await runCli(env, ['get', 'no-such-job']),
        1,
        /^error \[not_found\]: No job with id "no-such-job"/,
      );
      expectOneLineError(
        await runCli(env, ['list', '--cursor', 'junk']),
        1,
        /^error \[invalid_argument\]: .*cursor/,
      );
    });
  },
);
