// The claim's candidate query, written once: the queued job a claimer takes next. SQLite runs it
// as the sub-select of its claim UPDATE; the PostgreSQL function agent_queue_pick is generated
// from it (claim-sql.ts); jobNextRunAt uses its filter to learn when the next such job is due.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from './schema.js';

type Eb = ExpressionBuilder<Database, 'agent_jobs'>;
type Operand = Expression<unknown>;

/** How a dialect matches a job against a list of names: text[] on PostgreSQL, JSON text on SQLite. */
export interface NameLists {
  /** A list of names bound as one SQL value. */
  list(names: readonly string[]): Operand;
  /** The job's type is in the list. */
  typeIn(list: Operand): Expression<SqlBool>;
  /** Every capability the job requires is in the list. */
  capabilitiesWithin(list: Operand): Expression<SqlBool>;
}

export const POSTGRES_LISTS: NameLists = {
  list: (names) => sql`${[...names]}::text[]`,
  typeIn: (list) => sql<SqlBool>`${sql.ref('type')} = any(${list})`,
  capabilitiesWithin: (list) => sql<SqlBool>`${sql.ref('required_capabilities')} <@ ${list}`,
};

export const SQLITE_LISTS: NameLists = {
  list: (names) => sql`${JSON.stringify(names)}`,
  typeIn: (list) => sql<SqlBool>`${sql.ref('type')} in (select value from json_each(${list}))`,
  capabilitiesWithin: (list) =>
    sql<SqlBool>`not exists (select 1 from json_each(${sql.ref('agent_jobs.required_capabilities')}) r
      where r.value not in (select value from json_each(${list})))`,
};

/**
 * An input of the query: a value bound into the statement now, or a parameter of the generated
 * PostgreSQL function, known only when it runs. A filter whose value is absent is left out; one
 * whose input is a parameter tests for absence in SQL (types: NULL, unlessPaused: false).
 */
export type Input<T> = { value: T } | { param: string };

export interface Candidate {
  /** Due by then (codec-encoded time). Left out by jobNextRunAt, which asks when the next one is due. */
  now?: Input<unknown>;
  /** The named queue claimed from. */
  queue: Input<string>;
  /** Only these types; undefined is any type, an empty list none (the claim schema turns the API's [] into undefined). */
  types: Input<readonly string[] | undefined>;
  capabilities: Input<readonly string[]>;
  /** Take nothing while workers are paused, judged in the same statement. */
  unlessPaused?: Input<boolean>;
}

/** Plain values of a claim, as bound into its statement. */
export interface ClaimPick {
  now: unknown;
  queue: string;
  types: readonly string[] | undefined;
  capabilities: readonly string[];
  unlessPaused: boolean;
}

export const bound = (p: ClaimPick): Required<Candidate> => ({
  now: { value: p.now },
  queue: { value: p.queue },
  types: { value: p.types },
  capabilities: { value: p.capabilities },
  unlessPaused: { value: p.unlessPaused },
});

/** The pause row says workers are paused. */
export const workersPaused = (eb: Eb) =>
  eb.exists(eb.selectFrom('agent_worker_pause_state').select('id').where('paused', '=', sql.lit(true)));

/** The named queue is paused (its own pause, next to the fleet's). */
export const queuePaused = (eb: Eb, queue: Expression<string>) =>
  eb.exists(
    eb
      .selectFrom('agent_queue_pause_state')
      .select('queue')
      .where('agent_queue_pause_state.queue', '=', queue)
      .where('paused', '=', sql.lit(true)),
  );

/** A key without a row in agent_concurrency_limits lets this many of its jobs run at once. */
export const DEFAULT_KEY_LIMIT = 1;

/**
 * The key has room for one more running job: fewer running jobs carry it than its limit. Counted,
 * not kept as a counter, so no ending has to remember to give a slot back. Only a read: under
 * PostgreSQL's concurrent claims the pick re-counts it under the key's lock (claim-sql.ts).
 */
export function keyHasRoom(eb: Eb, key: Expression<string | null>): Expression<SqlBool> {
  const running = eb
    .selectFrom('agent_jobs as busy')
    .select((e) => e.fn.countAll().as('n'))
    .where('busy.status', '=', sql.lit('running'))
    .where('busy.concurrency_key', '=', key);
  const limit = eb
    .selectFrom('agent_concurrency_limits as l')
    .select('l.max_running')
    .where('l.key', '=', key);
  return eb(running.$asScalar(), '<', eb.fn.coalesce(limit.$asScalar(), sql.lit(DEFAULT_KEY_LIMIT)));
}

/** Queued jobs the claimer may take: the filter of the claim, and of jobNextRunAt without time and pause. */
export function candidateFilter(eb: Eb, lists: NameLists, c: Candidate): Expression<SqlBool> {
  // Both literals, as in the claim index's predicate, so the planner can use that partial index.
  const where: Expression<SqlBool>[] = [
    eb('status', '=', sql.lit('queued')),
    eb('pending_dependencies', '=', sql.lit(0)),
  ];
  const queue = 'param' in c.queue ? sql.raw<string>(c.queue.param) : eb.val(c.queue.value);
  where.push(eb('agent_jobs.queue', '=', queue));
  if (c.now) where.push(eb('run_at', '<=', 'param' in c.now ? sql.raw(c.now.param) : eb.val(c.now.value)));
  if ('param' in c.types) {
    const types = sql.raw(c.types.param);
    where.push(eb.or([eb(types, 'is', null), lists.typeIn(types)]));
  } else if (c.types.value) where.push(lists.typeIn(lists.list(c.types.value)));
  const caps = c.capabilities;
  where.push(lists.capabilitiesWithin('param' in caps ? sql.raw(caps.param) : lists.list(caps.value)));
  const key = eb.ref('agent_jobs.concurrency_key');
  where.push(eb.or([eb(key, 'is', null), keyHasRoom(eb, key)]));
  const paused = c.unlessPaused ?? { value: false };
  const anyPause = () => eb.or([workersPaused(eb), queuePaused(eb, queue)]);
  if ('param' in paused) where.push(eb.not(eb.and([sql.raw<SqlBool>(paused.param), anyPause()])));
  else if (paused.value) where.push(eb.not(anyPause()));
  return eb.and(where);
}

/** The best candidate by priority DESC, created_at, id: the order the claim index is built in. */
export function candidates(db: Kysely<Database>, lists: NameLists, c: Candidate) {
  return db
    .selectFrom('agent_jobs')
    .select('id')
    .where((eb) => candidateFilter(eb, lists, c))
    .orderBy('priority', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .limit(sql.lit(1));
}
