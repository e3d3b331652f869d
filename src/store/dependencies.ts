// Job dependencies (agent_job_dependencies): inserting jobs with their edges, what an ending does
// to the jobs that depend on it, and a retry's recount. Every write that concerns more than one
// job runs in one transaction; the rules (which ending does what, with which words) come from the
// queue as a Propagation, and only the SQL lives here.
//
// Lock order, on PostgreSQL: a dependent's enqueue (and retry) first row-locks its dependencies
// (`UPDATE … SET dependents = …`), and an ending row-locks its job before it reads its edges. So
// whichever comes second waits for the first, then sees what it committed: an ending never misses
// an edge, an enqueue never misses an ending. Dependencies are locked one by one in id order (the
// order an ending locks a job and then its younger dependents), so two such writers do not deadlock.
import { sql } from 'kysely';
import { QueueError } from '../core/errors.js';
import { UNSUCCESSFUL_ENDINGS } from '../core/job.js';
import type { JobStatus } from '../core/types.js';
import type { Row } from './codec.js';
import { returningJob, type Db, type Dialect, type JobUpdate } from './dialect.js';
import { JOB_COLUMNS } from './job-fields.js';
import { jobFromRow, jobToRow } from './rows.js';
import type { JobExpectation, JobRecord, NewEvent, Propagation, Store } from './store.js';

type DependencyMethods = Pick<
  Store,
  'jobEnd' | 'jobRequeueWithDependencies' | 'jobsInsertWithDependencies' | 'jobDependencies'
>;

/** The compare-and-set UPDATE of one job, as jobUpdate builds it. */
type BuildUpdate = (id: string, expect: JobExpectation, set: Record<string, unknown>) => JobUpdate;

// How often an insert retries when the unfinished job holding its dedupe key finished meanwhile.
const MAX_DEDUPE_ROUNDS = 5;

/** Thrown inside a transaction to roll it back and answer a refusal instead. */
class Refusal {
  constructor(
    readonly answer:
      { ok: false; missing: string[] } | { ok: false; ended: { id: string; status: JobStatus }[] },
  ) {}
}

export function dependencyMethods(d: Dialect, buildUpdate: BuildUpdate): DependencyMethods {
  const { db, codec: c } = d;
  const t = (date: Date) => c.time(date);

  async function appendEvents(trx: Db, rows: Row[], at: Date, e: NewEvent): Promise<void> {
    if (rows.length === 0) return;
    const data = e.data === undefined || e.data === null ? null : JSON.stringify(e.data);
    await trx
      .insertInto('agent_job_events')
      .values(
        rows.map((r) => ({
          job_id: r.id as string,
          at: t(at),
          level: e.level,
          kind: e.kind,
          attempt: Number(r.attempt),
          message: e.message ?? null,
          data,
        })),
      )
      .execute();
  }

  /** Row-locks the jobs (PostgreSQL), one by one in id order; answers the status of each found. */
  async function lockJobs(trx: Db, ids: readonly string[], bump: boolean): Promise<Map<string, JobStatus>> {
    const found = new Map<string, JobStatus>();
    for (const id of [...ids].sort()) {
      const row = await trx
        .updateTable('agent_jobs')
        .set({ dependents: bump ? sql`dependents + 1` : sql`dependents` })
        .where('id', '=', id)
        .returning(['id', 'status'])
        .executeTakeFirst();
      if (row) found.set(id, row.status as JobStatus);
    }
    return found;
  }

  /** Inserts the job, or finds the unfinished one holding its (type, dedupeKey). */
  async function insertOrHolder(trx: Db, job: JobRecord): Promise<{ row: Row; inserted: boolean }> {
    for (let round = 0; round < MAX_DEDUPE_ROUNDS; round++) {
      const row = await trx
        .insertInto('agent_jobs')
        .values(jobToRow(c, job) as never)
        .onConflict((oc) => oc.doNothing())
        .returning(JOB_COLUMNS)
        .executeTakeFirst();
      if (row) return { row, inserted: true };
      if (job.dedupeKey === null) {
        throw new QueueError(
          'job_state_conflict',
          "The new job's id or task id is taken by another job. Submit again: new ones are drawn.",
        );
      }
      const holder = await trx
        .selectFrom('agent_jobs')
        .select(JOB_COLUMNS)
        .where('type', '=', job.type)
        .where('dedupe_key', '=', job.dedupeKey)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      // The holder finished between the insert and this read: the key is free again.
      if (holder) return { row: holder, inserted: false };
    }
    throw new QueueError(
      'unavailable',
      'The dedupe key kept changing hands under concurrent updates. Retry the call.',
    );
  }

  /** succeeded: direct dependents still queued wait for one fewer; those at none get the event. */
  async function unblock(trx: Db, id: string, now: Date, event: NewEvent): Promise<Row[]> {
    const rows = await trx
      .updateTable('agent_jobs')
      .set({ pending_dependencies: sql`pending_dependencies - 1`, updated_at: t(now) })
      .where('id', 'in', (eb) =>
        eb.selectFrom('agent_job_dependencies').select('job_id').where('depends_on', '=', id),
      )
      .where('status', '=', 'queued')
      .where('pending_dependencies', '>', 0)
      .returning(JOB_COLUMNS)
      .execute();
    const ready = rows.filter((r) => Number(r.pending_dependencies) === 0);
    await appendEvents(trx, ready, now, event);
    return ready;
  }

  /** An unsuccessful ending: every job depending on it, directly or not, that has not ended. */
  async function cancelDependents(
    trx: Db,
    id: string,
    now: Date,
    p: Extract<Propagation, { kind: 'cancel' }>,
  ): Promise<Row[]> {
    const rows = await trx
      .withRecursive('down(id)', (qb) =>
        qb
          .selectFrom('agent_job_dependencies')
          .select('job_id as id')
          .where('depends_on', '=', id)
          .union(
            qb
              .selectFrom('agent_job_dependencies as e')
              .innerJoin('down', 'down.id', 'e.depends_on')
              .select('e.job_id as id'),
          ),
      )
      .updateTable('agent_jobs')
      .set({ ...jobToRow(c, p.set), updated_at: t(now) } as never)
      .where('id', 'in', (eb) => eb.selectFrom('down').select('down.id'))
      .where('status', 'in', ['queued', 'running'])
      .returning(JOB_COLUMNS)
      .execute();
    await appendEvents(trx, rows, now, p.event);
    return rows;
  }

  const sendAfterCommit = async (signal: Parameters<Dialect['notify']>[0] | undefined) => {
    // Wake-ups are for speed only; the write is committed whether or not this reaches anyone.
    if (signal) await d.notify(signal).catch(() => undefined);
  };

  return {
    async jobEnd({ id, expect, set, now, event, notify, propagate }) {
      const values = { ...jobToRow(c, set), updated_at: t(now) };
      // A job nobody depends on ends in one statement, as any transition does. On PostgreSQL that
      // statement's snapshot may predate a dependent's enqueue that it waited for (the row lock), so
      // it must not propagate itself: `dependents = 0`, re-checked on the latest row, sends such an
      // ending to the transaction below, whose later statements see the committed edges.
      const fast = await d.writeJob({
        query: buildUpdate(id, expect, values).where('dependents', '=', 0),
        event: event ? { at: t(now), event } : undefined,
        notify,
      });
      if (fast.row) return { job: jobFromRow(c, fast.row), unblocked: [], cancelled: [] };
      const out = await d.transaction(async (trx) => {
        const row = (await trx.executeQuery(returningJob(buildUpdate(id, expect, values)).compile()))
          .rows[0] as Row | undefined;
        if (!row) return null;
        if (event) await appendEvents(trx, [row], now, event);
        const changed =
          propagate.kind === 'unblock'
            ? await unblock(trx, id, now, propagate.event)
            : await cancelDependents(trx, id, now, propagate);
        return { row, changed };
      });
      if (!out) return null;
      await sendAfterCommit(notify);
      const changed = out.changed.map((r) => jobFromRow(c, r));
      return {
        job: jobFromRow(c, out.row),
        unblocked: propagate.kind === 'unblock' ? changed : [],
        cancelled: propagate.kind === 'cancel' ? changed : [],
      };
    },

    async jobRequeueWithDependencies({ id, expect, set, now, event }) {
      const row = await d.transaction(async (trx) => {
        const edges = await trx
          .selectFrom('agent_job_dependencies')
          .select('depends_on')
          .where('job_id', '=', id)
          .execute();
        const statuses = await lockJobs(
          trx,
          edges.map((e) => e.depends_on),
          false,
        );
        const all = [...statuses.values()];
        if (all.some((s) => UNSUCCESSFUL_ENDINGS.includes(s))) return undefined;
        const pending = all.filter((s) => s !== 'succeeded').length;
        const update = buildUpdate(id, expect, {
          ...jobToRow(c, { ...set, pendingDependencies: pending }),
          updated_at: t(now),
        });
        const out = (await trx.executeQuery(returningJob(update).compile())).rows[0] as Row | undefined;
        if (out && event) await appendEvents(trx, [out], now, event);
        return out;
      });
      return row ? jobFromRow(c, row) : null;
    },

    async jobsInsertWithDependencies({ jobs }) {
      try {
        return await d.transaction(async (trx) => {
          // A graph job that was deduplicated: later jobs depend on the job that stands in for it.
          const standIn = new Map<string, string>();
          const out: { job: JobRecord; inserted: boolean }[] = [];
          for (const { job, event, dependsOn } of jobs) {
            const deps = [...new Set(dependsOn.map((dep) => standIn.get(dep) ?? dep))];
            const { row, inserted } = await insertOrHolder(trx, { ...job, pendingDependencies: deps.length });
            if (!inserted) {
              standIn.set(job.id, row.id as string);
              out.push({ job: jobFromRow(c, row), inserted: false });
              continue;
            }
            const statuses = await lockJobs(trx, deps, true);
            const missing = deps.filter((dep) => !statuses.has(dep));
            if (missing.length > 0) throw new Refusal({ ok: false, missing });
            const ended = [...statuses]
              .filter(([, status]) => UNSUCCESSFUL_ENDINGS.includes(status))
              .map(([depId, status]) => ({ id: depId, status }));
            if (ended.length > 0) throw new Refusal({ ok: false, ended });
            const pending = [...statuses.values()].filter((s) => s !== 'succeeded').length;
            if (pending !== deps.length) {
              await trx
                .updateTable('agent_jobs')
                .set({ pending_dependencies: pending })
                .where('id', '=', job.id)
                .execute();
            }
            if (deps.length > 0) {
              await trx
                .insertInto('agent_job_dependencies')
                .values(deps.map((dep) => ({ job_id: job.id, depends_on: dep })))
                .execute();
            }
            await appendEvents(trx, [row], job.createdAt, event);
            out.push({ job: { ...jobFromRow(c, row), pendingDependencies: pending }, inserted: true });
          }
          return { ok: true as const, jobs: out };
        });
      } catch (err) {
        if (err instanceof Refusal) return err.answer;
        throw err;
      }
    },

    async jobDependencies({ id }) {
      const edges = await db
        .selectFrom('agent_job_dependencies')
        .select('depends_on')
        .where('job_id', '=', id)
        .orderBy('depends_on')
        .execute();
      const ids = edges.map((e) => e.depends_on);
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('agent_jobs').select(JOB_COLUMNS).where('id', 'in', ids).execute();
      const byId = new Map(rows.map((r) => [String(r.id), jobFromRow(c, r)]));
      return ids.map((dep) => ({ id: dep, job: byId.get(dep) ?? null }));
    },
  };
}
