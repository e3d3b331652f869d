// Turns database failures into stable codes with a message that names the setting to fix:
// "cannot be reached right now" is `unavailable` (retry), a refused login, a missing database or an
// unwritable SQLite file is `invalid_argument` naming DATABASE_URL (retrying will not help), and a
// dedupe-index refusal is `job_state_conflict`. People see one clear line, never a driver stack.
import { QueueError } from '../core/errors.js';
import type { DatabaseTarget } from './open.js';
import type { Store } from './store.js';
import { nodeSqliteCode } from './sqlite-codes.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
// The file or its folder cannot be created or opened (EEXIST: a plain file where the folder should be).
const CANNOT_OPEN = new Set(['SQLITE_CANTOPEN', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);
const SQLITE_TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL']);

// node:sqlite's errors carry a number; named here, both SQLite drivers classify alike.
const codeOf = (err: unknown): string | undefined => {
  const code = nodeSqliteCode(err) ?? (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = codeOf(err);
  if (code !== undefined) {
    // SQLite extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_SHORT_READ, …) count as their base code.
    if (NETWORK_CODES.has(code) || SQLITE_TRANSIENT.has(/^SQLITE_[A-Z]+/.exec(code)?.[0] ?? '')) return true;
    // PostgreSQL: 08 connection exception, 57P admin shutdown / crash / cannot connect now, 53 insufficient resources.
    if (/^(08|57P|53)/.test(code)) return true;
    // 40P01: PostgreSQL broke a deadlock by aborting this transaction (nothing was written). Rare,
    // e.g. two graph enqueues locking shared dependencies in opposite orders: retrying succeeds.
    if (code === '40P01') return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i.test(
    err.message,
  );
}

/**
 * The database as a message may name it: scheme, user, host, port and database only. The password
 * is masked, and the query string is left out (pg also takes `?password=` and `?sslpassword=`).
 */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `the SQLite file ${target.path}`;
  const u = safeUrl(target.url);
  if (!u) return 'PostgreSQL';
  const user = u.username ? `${u.username}${u.password ? ':***' : ''}@` : '';
  return `PostgreSQL at ${u.protocol}//${user}${u.host}${u.pathname}${target.schema ? ` (schema ${target.schema})` : ''}`;
}

/** A configuration the database refuses: retrying cannot help, the named setting must change. */
function configProblem(err: unknown, target: DatabaseTarget): QueueError | null {
  const code = codeOf(err);
  const where = describeTarget(target);
  const bad = (setting: string, message: string) =>
    new QueueError('invalid_argument', `${setting}: ${message}`, { cause: err });
  if (target.kind === 'postgres') {
    const url = safeUrl(target.url);
    const user = decodeURIComponent(url?.username || 'the default user');
    const db = decodeURIComponent(url?.pathname.slice(1) || 'the default database');
    if (code === '28P01' || code === '28000')
      return bad(
        'DATABASE_URL',
        `${where} refused the login for user "${user}" (${messageOf(err)}). Fix the user or password in DATABASE_URL.`,
      );
    if (code === '3D000')
      return bad(
        'DATABASE_URL',
        `database "${db}" does not exist on ${where}. Create it (createdb ${db}) or point DATABASE_URL at an existing database.`,
      );
    if (code === '3F000' || /no schema has been selected/i.test(messageOf(err)))
      return bad(
        'AGENT_QUEUE_PG_SCHEMA',
        `schema "${target.schema ?? '(search_path)'}" does not exist in ${where}. Create it (CREATE SCHEMA …) or change AGENT_QUEUE_PG_SCHEMA.`,
      );
    // A host name DNS does not know (NXDOMAIN) is a typo, not an outage: EAI_AGAIN stays transient.
    if (code === 'ENOTFOUND')
      return bad(
        'DATABASE_URL',
        `the host "${url?.hostname ?? '?'}" in DATABASE_URL is not known to DNS (${messageOf(err)}). Fix the host name in DATABASE_URL.`,
      );
    // TLS: the server does not speak it, or its certificate is not trusted (no SQLSTATE, a Node code).
    if (/\b(SSL|TLS)\b|certificate/i.test(messageOf(err)) || /CERT|TLS|SSL/.test(code ?? ''))
      return bad(
        'DATABASE_URL',
        `the TLS connection to ${where} failed (${messageOf(err)}). Fix sslmode (and the certificate settings) in DATABASE_URL, or the server's certificate.`,
      );
    if (code === '42501')
      return bad(
        'DATABASE_URL',
        `the user in DATABASE_URL lacks a privilege on ${where} (${messageOf(err)}). Grant it, or use a user that owns the queue's schema.`,
      );
    return null;
  }
  const fix =
    'Make the file and its folder writable by this user, or point DATABASE_URL / AGENT_QUEUE_HOME elsewhere.';
  if (code?.startsWith('SQLITE_READONLY'))
    return bad(
      'DATABASE_URL / AGENT_QUEUE_HOME',
      `${where} is read-only for this process (${messageOf(err)}). ${fix}`,
    );
  if (code !== undefined && CANNOT_OPEN.has(code))
    return bad('DATABASE_URL / AGENT_QUEUE_HOME', `${where} cannot be opened (${messageOf(err)}). ${fix}`);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return bad(
      'DATABASE_URL / AGENT_QUEUE_HOME',
      `${where} is not a usable SQLite database (${messageOf(err)}). Point DATABASE_URL / AGENT_QUEUE_HOME at the queue's file, or move this one aside.`,
    );
  return null;
}

const safeUrl = (url: string): URL | null => {
  try {
    return new URL(url);
  } catch {
    return null;
  }
};

function toUnavailable(err: unknown, target: DatabaseTarget): QueueError {
  const hint =
    target.kind === 'postgres'
      ? 'Retry shortly; if it persists, check that PostgreSQL is running and that DATABASE_URL points at it.'
      : 'Retry shortly; another process may hold the file, or the disk may be full.';
  return new QueueError(
    'unavailable',
    `Cannot use ${describeTarget(target)} right now (${messageOf(err)}). ${hint}`,
    {
      cause: err,
    },
  );
}

/** The unfinished-dedupe unique index refused a write (e.g. retrying a job whose key is taken again). */
function isDedupeViolation(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e?.code === '23505') return e.constraint === 'agent_jobs_dedupe_idx';
  return (
    codeOf(err)?.startsWith('SQLITE_CONSTRAINT') === true &&
    typeof e.message === 'string' &&
    e.message.includes('agent_jobs.dedupe_key')
  );
}

function dedupeConflict(err: unknown): QueueError {
  return new QueueError(
    'job_state_conflict',
    'Another unfinished job of this type already holds this dedupeKey. Wait for it to finish (or cancel it), then try again.',
    { cause: err },
  );
}

/** Any error a store call raised -> the coded error callers see (QueueErrors pass through). */
function classifyDbError(err: unknown, target: DatabaseTarget): unknown {
  if (err instanceof QueueError) return err;
  const config = configProblem(err, target);
  if (config) return config;
  if (isUnavailable(err)) return toUnavailable(err, target);
  if (isDedupeViolation(err)) return dedupeConflict(err);
  return err;
}

/** Wraps every store method so that whatever it throws reaches the caller classified. */
export function guardStore(store: Store, target: DatabaseTarget): Store {
  const guarded = { ...store } as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'close') continue;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        throw classifyDbError(err, target);
      }
    };
  }
  return guarded as unknown as Store;
}
