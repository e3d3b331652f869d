// Which SQLite library opens the file: Node's built-in node:sqlite where the running Node has a
// complete one, else better-sqlite3 (an optional dependency, compiled when no prebuilt binary fits).
// Both are loaded synchronously and only here, on first open (store/open.ts says why SQLite opens
// synchronously), so a Node with node:sqlite never loads — nor needs — better-sqlite3.
import { createRequire } from 'node:module';
import { QueueError } from '../core/errors.js';
import {
  openBetterSqlite3,
  openNodeSqlite,
  type NodeSqliteModule,
  type SqliteConnection,
} from './sqlite-conn.js';

export const SQLITE_DRIVERS = ['auto', 'node', 'better-sqlite3'] as const;
/** `auto`: node:sqlite when this Node has it, else better-sqlite3. */
export type SqliteDriverChoice = (typeof SQLITE_DRIVERS)[number];

const FIX =
  'Use Node >= 22.16 (built-in node:sqlite), or install better-sqlite3 beside agent-queue (npm install -g agent-queue better-sqlite3, or npx -y -p agent-queue -p better-sqlite3 agent-queue).';

let nodeSqliteOnce: NodeSqliteModule | string | undefined;
/**
 * node:sqlite as the adapter needs it, or why not (looked up once per process). Node 22.13+ has
 * it without a flag, but `StatementSync.columns()` (whether a statement returns rows, as Kysely
 * asks) comes with 22.16.
 */
function nodeSqlite(): NodeSqliteModule | string {
  nodeSqliteOnce ??= findNodeSqlite();
  return nodeSqliteOnce;
}

function findNodeSqlite(): NodeSqliteModule | string {
  const mod = withoutSqliteWarning(() => {
    try {
      return process.getBuiltinModule?.('node:sqlite') as NodeSqliteModule | undefined;
    } catch {
      return undefined;
    }
  });
  if (!mod) return `Node ${process.version} has no node:sqlite`;
  if (typeof mod.StatementSync?.prototype?.columns !== 'function')
    return `Node ${process.version}'s node:sqlite lacks StatementSync.columns() (Node >= 22.16 has it)`;
  return mod;
}

/**
 * Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" on stderr when the module
 * loads. MCP hosts show a server's stderr to people, and the CLI's stderr is its error channel, so
 * exactly that warning is dropped; every other warning passes through untouched.
 */
function withoutSqliteWarning<T>(load: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const kind = warning instanceof Error ? warning.name : type;
    if (kind === 'ExperimentalWarning' && /^SQLite\b/.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emit;
  }
}

type BetterSqlite3Ctor = typeof import('better-sqlite3');

const oneLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');

function betterSqlite3(): BetterSqlite3Ctor | string {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3Ctor;
  } catch (err) {
    // An optional dependency: absent where its install was skipped (--omit=optional) or failed.
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return 'better-sqlite3 is not installed';
    return `better-sqlite3 cannot be loaded (${oneLine(err)})`;
  }
}

/**
 * better-sqlite3 loads its compiled addon on the first open, not on require: a binary built for
 * another Node, or none at all (its build failed, as an optional dependency may), fails here.
 */
function openWithBetterSqlite3(lib: BetterSqlite3Ctor, path: string, busyTimeoutMs: number, why: string) {
  try {
    return openBetterSqlite3(lib, path, busyTimeoutMs);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) throw err;
    if (!(err instanceof Error) || !/NODE_MODULE_VERSION|bindings|\.node\b|dlopen/i.test(err.message))
      throw err;
    throw noDriver(`${why}better-sqlite3's compiled part cannot be loaded (${oneLine(err)})`);
  }
}

const noDriver = (why: string) =>
  new QueueError('invalid_argument', `No SQLite driver: ${why}. ${FIX}`, {
    details: { setting: 'AGENT_QUEUE_SQLITE_DRIVER' },
  });

/** Opens `path` with the chosen driver (busy timeout set); throws a coded error when it is missing. */
export function openSqlite(
  path: string,
  choice: SqliteDriverChoice,
  busyTimeoutMs: number,
): SqliteConnection {
  let why = 'AGENT_QUEUE_SQLITE_DRIVER=better-sqlite3, but ';
  if (choice !== 'better-sqlite3') {
    const mod = nodeSqlite();
    if (typeof mod !== 'string') return openNodeSqlite(mod, path, busyTimeoutMs);
    if (choice === 'node') throw noDriver(`AGENT_QUEUE_SQLITE_DRIVER=node, but ${mod}`);
    why = `${mod}, and `;
  }
  const lib = betterSqlite3();
  if (typeof lib === 'string') throw noDriver(`${why}${lib}`);
  return openWithBetterSqlite3(lib, path, busyTimeoutMs, why);
}
