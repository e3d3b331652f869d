// Paths as hosts pass them: MCP host configs hand the environment over verbatim, so no shell turns
// `~` into the home folder or drops an empty variable. The settings do both; and the SQLite driver
// setting reaches the store's target.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/settings/index.js';

const load = (env: Record<string, string>) => loadSettings({ env, command: 'mcp' });

function failure(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `[${e.code}] ${e.message}`;
  }
  throw new Error('expected the settings to be refused');
}

const DEFAULT_HOME = join(homedir(), '.agent-queue');

describe('AGENT_QUEUE_HOME', () => {
  it('empty or blank is unset: the default home, never the current folder', () => {
    for (const value of ['', '   ']) {
      const s = load({ AGENT_QUEUE_HOME: value });
      expect(s.database.home).toBe(DEFAULT_HOME);
      expect(s.database.target).toEqual({ kind: 'sqlite', path: join(DEFAULT_HOME, 'queue.db') });
    }
  });

  it('a leading ~ or ~/ is the home folder', () => {
    expect(load({ AGENT_QUEUE_HOME: '~' }).database.home).toBe(homedir());
    expect(load({ AGENT_QUEUE_HOME: '~/.aq' }).database.target).toEqual({
      kind: 'sqlite',
      path: join(homedir(), '.aq', 'queue.db'),
    });
    expect(loadSettings({ flags: { 'database.home': '~/flag-home' } }).database.home).toBe(
      join(homedir(), 'flag-home'),
    );
  });

  it('a ~ that is not leading stays as written', () => {
    expect(load({ AGENT_QUEUE_HOME: '/srv/a~b' }).database.home).toBe('/srv/a~b');
  });

  it('refuses ~user, which only a shell could expand', () => {
    expect(failure({ AGENT_QUEUE_HOME: '~bob/aq' })).toBe(
      `[invalid_argument] AGENT_QUEUE_HOME: "~bob/aq": only ~ and ~/… are expanded (to ${homedir()}). Write the full path.`,
    );
  });
});

describe('DATABASE_URL for SQLite', () => {
  it('sqlite://~/… is a file under the home folder', () => {
    expect(load({ DATABASE_URL: 'sqlite://~/queues/main.db' }).database.target).toEqual({
      kind: 'sqlite',
      path: join(homedir(), 'queues', 'main.db'),
    });
  });

  it('sqlite: without // says how to write it', () => {
    expect(failure({ DATABASE_URL: 'sqlite:~/x.db' })).toBe(
      '[invalid_argument] DATABASE_URL: write SQLite paths after sqlite:// — sqlite:///home/me/queue.db, or sqlite://~/queue.db under your home (got "sqlite:~/x.db").',
    );
  });
});

describe('AGENT_QUEUE_SQLITE_DRIVER', () => {
  it('auto by default, and then the target leaves the choice to the store', () => {
    expect(load({}).database.target).toEqual({ kind: 'sqlite', path: join(DEFAULT_HOME, 'queue.db') });
    expect(load({}).database.target).not.toHaveProperty('driver');
  });

  it('a forced driver reaches a SQLite target, and no PostgreSQL one', () => {
    for (const driver of ['node', 'better-sqlite3'] as const) {
      expect(load({ AGENT_QUEUE_SQLITE_DRIVER: driver }).database.target).toEqual({
        kind: 'sqlite',
        path: join(DEFAULT_HOME, 'queue.db'),
        driver,
      });
    }
    const pg = load({ AGENT_QUEUE_SQLITE_DRIVER: 'node', DATABASE_URL: 'postgres://u@h/db' });
    expect(pg.database.target).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
  });

  it('names the choices when the value is none of them', () => {
    expect(failure({ AGENT_QUEUE_SQLITE_DRIVER: 'sqlite3' })).toBe(
      '[invalid_argument] AGENT_QUEUE_SQLITE_DRIVER: "sqlite3" is not one of auto, node, better-sqlite3.',
    );
  });
});
