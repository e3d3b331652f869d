// DATABASE_URL, the home folder and the PostgreSQL schema -> the one database a command opens.
import { isAbsolute, join } from 'node:path';
import type { DatabaseTarget } from '../store/open.js';
import { settingError as bad } from './error.js';

/** postgres://… or sqlite:///absolute/path.db; absent = SQLite in the home folder. */
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
    const path = decodeURIComponent(url.slice('sqlite://'.length));
    if (!isAbsolute(path)) {
      throw bad(
        'DATABASE_URL',
        `SQLite needs an absolute path, written with three slashes: sqlite:///home/me/queue.db (got "${url}").`,
      );
    }
    return { kind: 'sqlite', path };
  }
  const scheme = url.split(':')[0];
  throw bad(
    'DATABASE_URL',
    `unsupported scheme "${scheme}:". Use postgres://user@host:5432/db for PostgreSQL or sqlite:///absolute/path/queue.db for SQLite.`,
  );
}
