// Turns database failures into stable codes: "cannot be reached" becomes `unavailable` (callers can
// retry), a dedupe-index refusal becomes `job_state_conflict`; people see one clear line instead of
// a driver stack trace.
import { QueueError } from '../queue/errors.js';
import type { Store } from './store.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);
const SQLITE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLITE_CODES.has(code)) return true;
    // PostgreSQL: 08 connection exception, 57P admin shutdown / cannot connect now, 53 insufficient resources.
    if (/^(08|57P|53)/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err.message,
  );
}

export function toUnavailable(err: unknown): QueueError {
  const detail = err instanceof Error ? err.message : String(err);
  return new QueueError(
    'unavailable',
    `The database is unreachable or busy (${detail}). Retry shortly; check DATABASE_URL if it persists.`,
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
    typeof e?.code === 'string' &&
    e.code.startsWith('SQLITE_CONSTRAINT') &&
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

export function guardUnavailable(store: Store): Store {
  const guarded = { ...store } as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function' || name === 'close') continue;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        if (isUnavailable(err)) throw toUnavailable(err);
        if (isDedupeViolation(err)) throw dedupeConflict(err);
        throw err;
      }
    };
  }
  return guarded as unknown as Store;
}
