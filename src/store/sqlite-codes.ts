// node:sqlite reports a failure as code ERR_SQLITE_ERROR with SQLite's numeric result code in
// `errcode`; better-sqlite3 puts the code's name (SQLITE_BUSY, …) in `code`. The classification
// in db-errors.ts reads names, so numbers are named here (primary codes: an extended code such as
// SQLITE_READONLY_DBMOVED = 1032 keeps its primary code in the low byte).
const PRIMARY = [
  'SQLITE_OK',
  'SQLITE_ERROR',
  'SQLITE_INTERNAL',
  'SQLITE_PERM',
  'SQLITE_ABORT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_NOMEM',
  'SQLITE_READONLY',
  'SQLITE_INTERRUPT',
  'SQLITE_IOERR',
  'SQLITE_CORRUPT',
  'SQLITE_NOTFOUND',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  'SQLITE_EMPTY',
  'SQLITE_SCHEMA',
  'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT',
  'SQLITE_MISMATCH',
  'SQLITE_MISUSE',
  'SQLITE_NOLFS',
  'SQLITE_AUTH',
  'SQLITE_FORMAT',
  'SQLITE_RANGE',
  'SQLITE_NOTADB',
] as const;

/** The SQLITE_* name of a node:sqlite error, or undefined for anything else. */
export function nodeSqliteCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return undefined;
  return PRIMARY[e.errcode & 0xff];
}
