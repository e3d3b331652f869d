// Where the queue lives: DATABASE_URL or the home folder's SQLite file, and how it is opened.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SCHEMA_PATTERN } from '../../store/schema-name.js';
import { SQLITE_DRIVERS, type SqliteDriverChoice } from '../../store/sqlite-driver.js';
import { oneOf, userPath } from '../kinds.js';
import { noValue, setting } from '../setting.js';

export const DATABASE_SETTINGS = {
  'database.url': setting({
    env: 'DATABASE_URL',
    flag: { spec: '--database-url <url>', commands: 'all' },
    commands: 'all',
    schema: z.string(),
    default: noValue,
    defaultText: 'SQLite in AGENT_QUEUE_HOME',
    help: '`postgres://…`, `sqlite:///abs/path.db` or `sqlite://~/path.db`',
  }),
  'database.home': setting({
    env: 'AGENT_QUEUE_HOME',
    flag: { spec: '--home <dir>', commands: 'all' },
    commands: 'all',
    schema: userPath(),
    default: join(homedir(), '.agent-queue'),
    defaultText: '`~/.agent-queue`',
    help: 'home folder for the default SQLite file (a leading `~` is your home)',
  }),
  'database.schema': setting({
    env: 'AGENT_QUEUE_PG_SCHEMA',
    commands: 'all',
    schema: z.string().regex(SCHEMA_PATTERN, {
      error: (iss) =>
        `"${String(iss.input)}" is not a valid schema name: use up to 48 lowercase letters, digits and _ (not starting with a digit).`,
    }),
    default: noValue,
    defaultText: "the server's `search_path`",
    help: 'PostgreSQL schema holding the queue tables',
  }),
  'database.sqliteDriver': setting<SqliteDriverChoice>({
    env: 'AGENT_QUEUE_SQLITE_DRIVER',
    commands: 'all',
    schema: oneOf(SQLITE_DRIVERS),
    default: 'auto',
    defaultText: '`auto`',
    help: '`node` (built-in, Node ≥ 22.16), `better-sqlite3`, or `auto`: `node` if available',
  }),
};
