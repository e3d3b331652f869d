// The PostgreSQL claim pick, generated from the candidate query of claim.ts: the text of the
// function agent_queue_pick, its call, and the migration that (re)defines it. `npm run gen:sql`
// writes a new migration when the text changes; a test fails while the newest one differs.
//
// Concurrency keys need more than SKIP LOCKED: two claimers lock two different jobs of one key, and
// each counts the key's running jobs in a snapshot without the other's claim, so both see room for
// the last slot. So a job with a key is taken only after its key's transaction-scoped advisory lock,
// held until the claim commits, and a count made after that lock: PL/pgSQL gives each statement of
// a volatile function a fresh snapshot, in which every earlier claim of that key is committed.
// Only the first key lock of a claim is waited for. A transaction-scoped lock cannot be let go, so
// a claim that found its first key full still holds it while it looks further; waiting there for a
// second key held by a claim that waits for the first would deadlock. A later key is only tried:
// if another claim holds it, this try answers nothing (the store tries once more, in a new
// transaction that holds no lock).
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type RawBuilder,
} from 'kysely';
import { join } from 'node:path';
import { candidates, keyHasRoom, POSTGRES_LISTS, type ClaimPick } from './claim.js';
import { loadMigrations, migrationsDir } from './migrate.js';
import type { Database } from './schema.js';

/** The function's parameters in call order: name and SQL type. */
const PARAMS = {
  now: ['p_now', 'timestamptz'],
  queue: ['p_queue', 'text'],
  types: ['p_types', 'text[]'],
  capabilities: ['p_capabilities', 'text[]'],
  unlessPaused: ['p_unless_paused', 'boolean'],
} as const satisfies Record<keyof ClaimPick, readonly [string, string]>;
const ORDER = Object.keys(PARAMS) as (keyof ClaimPick)[];

// Only the SQL text is wanted: a PostgreSQL compiler with no connection behind it.
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

// The first of the two keys of the concurrency-key advisory locks (the second is the key's hash):
// arbitrary, naming "agent-queue concurrency keys" among the two-key advisory locks.
export const KEY_LOCK_SPACE = 1_634_431_345;
// A key found full after its lock is left out by the next look (its count is fresh by then); this
// bounds the looks when keys keep filling under it. The claim then answers "nothing", and retries.
const MAX_LOOKS = 8;

/** Compiled SQL with no bound values: every input must be a parameter of the function or a literal. */
function unbound(query: { compile(): { sql: string; parameters: readonly unknown[] } }): string {
  const compiled = query.compile();
  if (compiled.parameters.length > 0) {
    throw new Error(`a pick query binds ${compiled.parameters.length} value(s); use literals or parameters`);
  }
  return compiled.sql;
}

/**
 * CREATE OR REPLACE FUNCTION agent_queue_pick(…): the candidate query, locked with SKIP LOCKED;
 * for a job with a concurrency key, the key's lock and a fresh count confirm its room first (the
 * first key's lock waited for, any later one only tried: see the top of this file).
 */
export function pickFunctionSql(): string {
  const pick = unbound(pickQuery());
  const room = roomQuery();
  return [
    `CREATE OR REPLACE FUNCTION agent_queue_pick(${signature()})`,
    'RETURNS uuid',
    ...SETTINGS,
    'AS $$',
    'DECLARE',
    '  picked record;',
    '  room boolean;',
    '  holds_key boolean := false;',
    'BEGIN',
    `  FOR look IN 1..${MAX_LOOKS} LOOP`,
    `    ${pick} INTO picked;`,
    '    IF NOT FOUND THEN RETURN NULL; END IF;',
    '    IF picked.concurrency_key IS NULL THEN RETURN picked.id; END IF;',
    ...keyLock('RETURN NULL'),
    `    ${room} INTO room;`,
    '    IF room THEN RETURN picked.id; END IF;',
    '  END LOOP;',
    '  RETURN NULL;',
    'END',
    '$$;',
  ].join('\n');
}

/** The candidate query over the function's parameters, with its key, locked, skipping rows others hold. */
function pickQuery() {
  const param = (k: keyof ClaimPick) => ({ param: PARAMS[k][0] });
  return candidates(compiler, POSTGRES_LISTS, {
    now: param('now'),
    queue: param('queue'),
    types: param('types'),
    capabilities: param('capabilities'),
    unlessPaused: param('unlessPaused'),
  })
    .select('concurrency_key')
    .forUpdate()
    .skipLocked();
}

/** Whether picked.concurrency_key has room, counted in the statement's own (fresh) snapshot. */
const roomQuery = () =>
  unbound(
    compiler.selectNoFrom((eb) =>
      sql<boolean>`${keyHasRoom(eb as never, sql.raw<string>('picked.concurrency_key'))}`.as('room'),
    ),
  );

/**
 * Takes picked.concurrency_key's lock: the first key of a call is waited for, a later one only
 * tried (see the top of this file); `busy` is what the pick does when another claim holds it.
 */
const keyLock = (busy: string): string[] => [
  '    IF NOT holds_key THEN',
  `      PERFORM pg_advisory_xact_lock(${KEY_LOCK_SPACE}, hashtext(picked.concurrency_key));`,
  '      holds_key := true;',
  `    ELSIF NOT pg_try_advisory_xact_lock(${KEY_LOCK_SPACE}, hashtext(picked.concurrency_key)) THEN`,
  `      ${busy};`,
  '    END IF;',
];

const signature = () => ORDER.map((k) => PARAMS[k].join(' ')).join(', ');

const SETTINGS = [
  'LANGUAGE plpgsql VOLATILE',
  'SET enable_sort = off',
  'SET enable_bitmapscan = off',
  'SET jit = off',
  // One plan per session: left to choose, PostgreSQL re-planned the pick on most calls (a custom
  // plan for each set of values), which cost about a quarter of the claim's database time.
  'SET plan_cache_mode = force_generic_plan',
];

/**
 * CREATE OR REPLACE FUNCTION agent_queue_pick_many(…, p_limit): up to p_limit jobs in one pass of
 * the candidate query (LIMIT p_limit, locked, skipping rows others hold), for a batched claim. It
 * takes at most one job per concurrency key: the room count sees running jobs, not the ones this
 * batch is about to claim. Key locks as in the single pick: the first waited for, later ones only
 * tried (a key held elsewhere is passed over, and so is a key found full: the batch comes out short).
 */
export function pickManyFunctionSql(): string {
  const pick = unbound(pickQuery().clearLimit().limit(sql.raw<number>('p_limit')));
  return [
    `CREATE OR REPLACE FUNCTION agent_queue_pick_many(${signature()}, p_limit integer)`,
    'RETURNS uuid[]',
    ...SETTINGS,
    'AS $$',
    'DECLARE',
    '  picked record;',
    '  room boolean;',
    '  holds_key boolean := false;',
    "  taken uuid[] := '{}';",
    "  keys text[] := '{}';",
    'BEGIN',
    `  FOR picked IN ${pick} LOOP`,
    '    IF picked.concurrency_key IS NULL THEN',
    '      taken := taken || picked.id;',
    '      CONTINUE;',
    '    END IF;',
    '    CONTINUE WHEN picked.concurrency_key = ANY(keys);',
    '    keys := keys || picked.concurrency_key;',
    ...keyLock('CONTINUE'),
    `    ${roomQuery()} INTO room;`,
    '    IF room THEN taken := taken || picked.id; END IF;',
    '  END LOOP;',
    '  RETURN taken;',
    'END',
    '$$;',
  ].join('\n');
}

/**
 * `unnest((select agent_queue_pick_many(…)), tokens, data)` as rows (pick_id, pick_token, pick_data,
 * pick_ord) with a batched claim's values bound: one per slot, the picked id null past the last pick.
 */
export function pickManyRows(
  p: ClaimPick,
  limit: number,
  tokens: string[],
  data: string[],
): RawBuilder<unknown> {
  const args = ORDER.map((k) => sql`${p[k] ?? null}::${sql.raw(PARAMS[k][1])}`);
  return sql`(select * from unnest((select agent_queue_pick_many(${sql.join(args)}, ${limit}::integer)),
    ${tokens}::text[], ${data}::jsonb[]) with ordinality as u(pick_id, pick_token, pick_data, pick_ord))`;
}

/** `(select agent_queue_pick(…))` with a claim's values bound: as an InitPlan it runs once per claim. */
export function pickCall(p: ClaimPick): RawBuilder<string> {
  const args = ORDER.map((k) => sql`${p[k] ?? null}::${sql.raw(PARAMS[k][1])}`);
  return sql<string>`(select agent_queue_pick(${sql.join(args)}))`;
}

const HEADER = `-- Generated by \`npm run gen:sql\` from the candidate query in src/store/claim.ts: do not edit.
-- The claim's pick: the best queued job this worker may take, locked, skipping rows other claimers
-- hold. It is a function only so that it can pin its plan: with stale statistics (a fresh or
-- bursty table) the planner would otherwise sort every queued row instead of walking
-- agent_jobs_claim_idx in order and stopping at the first match. PL/pgSQL keeps the prepared plan
-- for the session, and plan_cache_mode makes it one generic plan, so the pick is not re-planned
-- per claim. agent_queue_pick_many is the same pick repeated for a batched claim.
`;
const SQLITE_TWIN = `-- PostgreSQL redefines its claim pick functions (agent_queue_pick, agent_queue_pick_many) in this
-- step. SQLite builds the same candidate query into each claim statement: nothing to do here.
`;
// The function as a migration defines it, and the argument list of its signature.
const FUNCTION_BLOCK = /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+agent_queue_pick\s*\(([^)]*)\)[\s\S]*?\$\$;/i;
const MANY_BLOCK =
  /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+agent_queue_pick_many\s*\(([^)]*)\)[\s\S]*?\$\$;/i;

/** `timestamptz, text[]` from `p_now timestamptz, p_types text[]`: what DROP FUNCTION names. */
const argumentTypes = (args: string): string =>
  args
    .split(',')
    .map((a) => a.trim().split(/\s+/).slice(1).join(' '))
    .join(', ');

/**
 * The migration file that (re)defines the generated function, after `previous` (the newest
 * migration defining it). CREATE OR REPLACE cannot rename or retype a parameter, and a changed
 * list of types would only add an overload: when the parameters change at all, the old signature
 * is dropped first, in the same
 * step (the claim calls it only by its new signature).
 */
export function pickMigrationSql(previous?: string): string {
  const fn = pickFunctionSql();
  const many = pickManyFunctionSql();
  const plain = (args: string) => args.replace(/\s+/g, ' ').trim();
  const drop = (block: RegExp, name: string, text: string) => {
    const before = previous === undefined ? undefined : block.exec(previous)?.[1];
    const now = block.exec(text)![1]!;
    return before !== undefined && plain(before) !== plain(now)
      ? `DROP FUNCTION IF EXISTS ${name}(${argumentTypes(before)});\n`
      : '';
  };
  return `${HEADER}${drop(FUNCTION_BLOCK, 'agent_queue_pick', fn)}${fn}\n\n${drop(MANY_BLOCK, 'agent_queue_pick_many', many)}${many}\n`;
}

/** Whether a migration's definitions of the functions are exactly the generated ones. */
export const definesCurrentPick = (migration: string): boolean =>
  FUNCTION_BLOCK.exec(migration)?.[0] === pickFunctionSql() &&
  MANY_BLOCK.exec(migration)?.[0] === pickManyFunctionSql();

export interface PickMigration {
  /** The newest PostgreSQL migration that defines agent_queue_pick, or none. */
  newest: { version: number; name: string; sql: string } | undefined;
  /** That migration holds exactly the generated text. */
  upToDate: boolean;
  /** What gen:sql writes otherwise: the next step for both dialects (same numbering everywhere). */
  next: { version: number; files: { path: string; text: string }[] };
}

export function pickMigration(): PickMigration {
  const steps = loadMigrations('postgres');
  const newest = steps.filter((s) => FUNCTION_BLOCK.test(s.sql)).at(-1);
  const text = pickMigrationSql(newest?.sql);
  const version =
    Math.max(0, ...steps.map((s) => s.version), ...loadMigrations('sqlite').map((s) => s.version)) + 1;
  const file = `${String(version).padStart(4, '0')}_claim_pick.sql`;
  return {
    newest,
    upToDate: newest !== undefined && definesCurrentPick(newest.sql),
    next: {
      version,
      files: [
        { path: join(migrationsDir('postgres'), file), text },
        { path: join(migrationsDir('sqlite'), file), text: SQLITE_TWIN },
      ],
    },
  };
}
