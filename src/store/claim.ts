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
  /** Only these types; undefined is any type, an empty list none (the claim schema turns the API's [] into undefined). */
  types: Input<readonly string[] | undefined>;
  capabilities: Input<readonly string[]>;
  /** Take nothing while workers are paused, judged in the same statement. */
  unlessPaused?: Input<boolean>;
}

/** Plain values of a claim, as bound into its statement. */
export interface ClaimPick {
  now: unknown;
  types: readonly string[] | undefined;
  capabilities: readonly string[];
  unlessPaused: boolean;
}

export const bound = (p: ClaimPick): Required<Candidate> => ({
  now: { value: p.now },
  types: { value: p.types },
  capabilities: { value: p.capabilities },
  unlessPaused: { value: p.unlessPaused },
});

/** The pause row says workers are paused. */
export const workersPaused = (eb: Eb) =>
  eb.exists(eb.selectFrom('agent_worker_pause_state').select('id').where('paused', '=', sql.lit(true)));

/** Queued jobs the claimer may take: the filter of the claim, and of jobNextRunAt without time and pause. */
export function candidateFilter(eb: Eb, lists: NameLists, c: Candidate): Expression<SqlBool> {
  const where: Expression<SqlBool>[] = [eb('status', '=', sql.lit('queued'))];
  if (c.now) where.push(eb('run_at', '<=', 'param' in c.now ? sql.raw(c.now.param) : eb.val(c.now.value)));
  if ('param' in c.types) {
    const types = sql.raw(c.types.param);
    where.push(eb.or([eb(types, 'is', null), lists.typeIn(types)]));
  } else if (c.types.value) where.push(lists.typeIn(lists.list(c.types.value)));
  const caps = c.capabilities;
  where.push(lists.capabilitiesWithin('param' in caps ? sql.raw(caps.param) : lists.list(caps.value)));
  const paused = c.unlessPaused ?? { value: false };
  if ('param' in paused) where.push(eb.not(eb.and([sql.raw<SqlBool>(paused.param), workersPaused(eb)])));
  else if (paused.value) where.push(eb.not(workersPaused(eb)));
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
