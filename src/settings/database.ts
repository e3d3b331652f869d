// DATABASE_URL, the home folder and the PostgreSQL schema -> the one database a command opens.
import { isAbsolute, join } from 'node:path';
import type { DatabaseTarget } from '../store/open.js';
import type { SqliteDriverChoice } from '../store/sqlite-driver.js';
import { settingError as bad } from './error.js';
import { expandHome } from './kinds.js';

/** The one database a command opens: DATABASE_URL, else SQLite in the home folder. */
export function databaseTarget(opts: {
  url: string | undefined;
  home: string;
  schema?: string | undefined;
  sqliteDriver: SqliteDriverChoice;
}): DatabaseTarget {
  const target = parseDatabaseUrl(opts.url, opts.home, opts.schema);
  // `auto` is left out of the target, as it is the store's default.
  return target.kind === 'sqlite' && opts.sqliteDriver !== 'auto'
    ? { ...target, driver: opts.sqliteDriver }
    : target;
}

/** postgres://…, sqlite:///absolute/path.db or sqlite://~/path.db; absent = SQLite in the home folder. */
export function parseDatabaseUrl(url: string | undefined, home: string, schema?: string): DatabaseTarget {
  if (!url) return { kind: 'sqlite', path: join(home, 'queue.db') };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw bad(
        'DATABASE_URL',
        'is not a valid URL. Example: postgres://user:password@127.0.0.1:5432/dbname',
      );
    }
    return { kind: 'postgres', url, ...(schema ? { schema } : {}) };
  }
  if (url.startsWith('sqlite://')) {
    const path = expandHome(decodeURIComponent(url.slice('sqlite://'.length)));
    if (path === undefined || !isAbsolute(path)) {
      throw bad(
        'DATABASE_URL',
        `SQLite needs an absolute path, written with three slashes: sqlite:///home/me/queue.db, or one under your home: sqlite://~/queue.db (got "${url}").`,
      );
    }
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('sqlite:')) {
    throw bad(
      'DATABASE_URL',
      `write SQLite paths after sqlite:// — sqlite:///home/me/queue.db, or sqlite://~/queue.db under your home (got "${url}").`,
    );
  }
  const scheme = url.split(':')[0];
  throw bad(
    'DATABASE_URL',
    `unsupported scheme "${scheme}:". Use postgres://user@host:5432/db for PostgreSQL or sqlite:///absolute/path/queue.db for SQLite.`,
  );
}
