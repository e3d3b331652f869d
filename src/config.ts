// Every setting: environment + flags -> one typed, defaulted, validated object. A bad value gives
// one line naming the setting and what it should be.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { QueueError } from './queue/errors.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './queue/settings.js';
import type { DatabaseTarget } from './store/open.js';
import { SCHEMA_PATTERN } from './store/postgres.js';

export interface Config {
  home: string;
  database: DatabaseTarget;
  settings: QueueSettings;
  /** Finished jobs and their events are pruned after this many days. */
  retentionDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

/** Flags a command may pass; each overrides its environment variable. */
export interface ConfigFlags {
  databaseUrl?: string | undefined;
  home?: string | undefined;
  lease?: number | undefined;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

// name -> [schema, default]; names are the environment variables people set.
const NUMERIC = {
  AGENT_QUEUE_LEASE_SECONDS: [int(1, 86_400), DEFAULT_SETTINGS.defaultLeaseSeconds],
  AGENT_QUEUE_MAX_ATTEMPTS: [int(1, 100), DEFAULT_SETTINGS.defaultMaxAttempts],
  AGENT_QUEUE_BACKOFF_BASE_SECONDS: [int(0, 86_400), DEFAULT_SETTINGS.backoff.baseSeconds],
  AGENT_QUEUE_BACKOFF_CAP_SECONDS: [int(0, 7 * 86_400), DEFAULT_SETTINGS.backoff.capSeconds],
  AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: [int(1024, 64 * 1024 * 1024), DEFAULT_SETTINGS.payloadLimitBytes],
  AGENT_QUEUE_RETENTION_DAYS: [int(1, 3650), 14],
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

/** One line naming the setting and what it should be; every settings loader uses it. */
export function settingError(setting: string, message: string): QueueError {
  return new QueueError('invalid_argument', `${setting}: ${message}`);
}
const bad = settingError;

/** "a, b,,c" -> ["a", "b", "c"] for comma-separated settings. */
export const splitList = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function numeric(env: NodeJS.ProcessEnv, name: keyof typeof NUMERIC, override?: number): number {
  const [schema, fallback] = NUMERIC[name];
  const raw = override ?? env[name];
  if (raw === undefined || raw === '') return fallback;
  const res = schema.safeParse(raw);
  if (!res.success)
    throw bad(name, `"${raw}" is not valid: ${res.error.issues[0]?.message ?? 'expected a whole number'}.`);
  return res.data;
}

/** Parses DATABASE_URL: postgres://… or sqlite:///absolute/path.db; absent = SQLite in the home folder. */
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

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const home = flags.home ?? env.AGENT_QUEUE_HOME ?? join(homedir(), '.agent-queue');
  const schema = env.AGENT_QUEUE_PG_SCHEMA || undefined;
  if (schema !== undefined && !SCHEMA_PATTERN.test(schema)) {
    throw bad(
      'AGENT_QUEUE_PG_SCHEMA',
      `"${schema}" is not a valid schema name: use up to 48 lowercase letters, digits and _ (not starting with a digit).`,
    );
  }
  const logLevel = (env.AGENT_QUEUE_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    throw bad('AGENT_QUEUE_LOG_LEVEL', `use one of ${LOG_LEVELS.join(', ')}.`);
  const baseSeconds = numeric(env, 'AGENT_QUEUE_BACKOFF_BASE_SECONDS');
  const capSeconds = numeric(env, 'AGENT_QUEUE_BACKOFF_CAP_SECONDS');
  if (capSeconds < baseSeconds) {
    throw bad(
      'AGENT_QUEUE_BACKOFF_CAP_SECONDS',
      `must be at least AGENT_QUEUE_BACKOFF_BASE_SECONDS (${baseSeconds}).`,
    );
  }
  return {
    home,
    database: parseDatabaseUrl(flags.databaseUrl ?? env.DATABASE_URL, home, schema),
    settings: {
      ...DEFAULT_SETTINGS,
      defaultLeaseSeconds: numeric(env, 'AGENT_QUEUE_LEASE_SECONDS', flags.lease),
      defaultMaxAttempts: numeric(env, 'AGENT_QUEUE_MAX_ATTEMPTS'),
      backoff: { ...DEFAULT_SETTINGS.backoff, baseSeconds, capSeconds },
      payloadLimitBytes: numeric(env, 'AGENT_QUEUE_PAYLOAD_LIMIT_BYTES'),
    },
    retentionDays: numeric(env, 'AGENT_QUEUE_RETENTION_DAYS'),
    logLevel,
  };
}
