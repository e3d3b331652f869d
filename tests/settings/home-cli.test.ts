// The home folder as a host really starts the server: a real CLI process, started in some folder,
// with HOME pointing at a folder of the test's own and AGENT_QUEUE_HOME as a host config writes it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/bin.js';
import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli.js';
import { SQLITE_DRIVER } from '../helpers/backends.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';

const dirs: TempDir[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** Runs `agent-queue enqueue` from a fresh folder with a fresh HOME; returns both folders and stderr. */
async function enqueueFrom(home: string | undefined) {
  const [user, cwd] = [makeTempDir('home'), makeTempDir('cwd')];
  dirs.push(user, cwd);
  const r = await execa(process.execPath, [BIN, 'enqueue', 'demo.job', '--payload', '{}'], {
    cwd: cwd.path,
    env: cliEnv({
      HOME: user.path,
      ...(home === undefined ? {} : { AGENT_QUEUE_HOME: home }),
      ...(SQLITE_DRIVER === 'auto' ? {} : { AGENT_QUEUE_SQLITE_DRIVER: SQLITE_DRIVER }),
    }),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 20_000,
  });
  return { user: user.path, cwd: cwd.path, code: r.exitCode, stderr: r.stderr };
}

describe('AGENT_QUEUE_HOME from a host config', () => {
  it(
    'empty: the queue is in ~/.agent-queue, and nothing is written where the host started it',
    async () => {
      const r = await enqueueFrom('');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(existsSync(join(r.user, '.agent-queue', 'queue.db'))).toBe(true);
      expect(readdirSync(r.cwd)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '~/…: the queue is under the home folder, not in a folder named ~',
    async () => {
      const r = await enqueueFrom('~/.aq');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(existsSync(join(r.user, '.aq', 'queue.db'))).toBe(true);
      expect(readdirSync(r.cwd)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
