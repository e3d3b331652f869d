// The Store, written once over Kysely. Dialect differences come from the Dialect capabilities.
import { sql, type Expression, type SqlBool } from 'kysely';
import { QueueError } from '../core/errors.js';
import { returningJob, type Db, type Dialect, type JobUpdate } from './dialect.js';
import type { Row } from './codec.js';
import type { JobExpectation, JobRecord, PauseRecord, Store } from './store.js';
import type { ControlEvent, JobStatus } from '../core/types.js';
import {
  controlEventFromRow,
  eventFromRow,
  jobFromRow,
  jobToRow,
  pauseFromRow,
  queuePauseFromRow,
} from './rows.js';
import { migrate } from './migrate.js';
import { candidateFilter, queuePaused, workersPaused } from './claim.js';
import { tokenMethods } from './token-store.js';
import { scheduleMethods } from './schedule-store.js';
import { dependencyMethods } from './dependencies.js';
import { limitMethods } from './limit-store.js';
import { isUuid, uuidv7Floor } from '../core/ids.js';

export function createKyselyStore(d: Dialect): Store {
  const { db, codec: c } = d;
  const t = (date: Date) => c.time(date);

  const buildUpdate = (id: string, expect: JobExpectation, values: Record<string, unknown>) =>
    applyExpectation(
      db
        .updateTable('agent_jobs')
        .set(values as never)
        .where('id', '=', id),
      expect,
    );
  const dependencies = dependencyMethods(d, buildUpdate);

  /** A claim's UPDATE of the job picked (by id), under a lease token: the single and the batched claim's. */
  const claimUpdate =
    (p: { now: Date; workerId: string; leaseExpiresAt: Date; leaseSeconds: number }) =>
    (pickedId: Expression<string>, leaseToken: Expression<string>) =>
      db
        .updateTable('agent_jobs')
        .set({
          status: 'running',
          claimed_by: p.workerId,
          lease_token: leaseToken,
          lease_expires_at: t(p.leaseExpiresAt),
          lease_seconds: p.leaseSeconds,
          attempt: sql`attempt + 1`,
          started_at: sql`coalesce(started_at, ${t(p.now)})`,
          updated_at: t(p.now),
          progress: null,
          progress_message: null,
          // The claim event opens the timeline of this attempt; plain heartbeats are counted from it.
          last_heartbeat_event_at: t(p.now),
        })
        .where('id', '=', pickedId)
        .where('status', '=', 'queued');

  /** The pause rows a claim read; re-read when a job was taken under a row that says paused. */
  async function claimPauses(taken: boolean, pause: Row, queuePause: Row | undefined, queue: string) {
    // A job was taken, so the pick saw no pause: a paused row here was read before a resume.
    if (taken && (c.boolOut(pause.paused) || c.boolOut(queuePause?.paused))) {
      const [fleet, own] = await Promise.all([store.pauseStateGet(), store.queuePauseGet({ queue })]);
      return { pause: fleet, queuePause: own };
    }
    return {
      pause: pauseFromRow(c, pause),
      queuePause: queuePause ? queuePauseFromRow(c, queuePause, queue) : null,
    };
  }

  const store: Store = {
    dialect: d.name,
    connect: async () => void (await d.dbNow()),
    migrate: () => migrate(d),
    close: () => d.close(),
    dbNow: () => d.dbNow(),

    async jobInsert({ job, event, notify }) {
      const insert = db
        .insertInto('agent_jobs')
        .values(jobToRow(c, job) as never)
        // The conflict expected is the partial unique index on unfinished (type, dedupe_key); the id
        // and task id are drawn at random, so theirs are refused below instead of retried forever.
        .onConflict((oc) => oc.doNothing());
      const { row } = await d.writeJob({ query: insert, event: { at: t(job.createdAt), event }, notify });
      if (row) return { job: jobFromRow(c, row), inserted: true };
      if (
        job.dedupeKey === null ||
        (job.taskId !== null && (await store.jobGetByTaskId({ taskId: job.taskId })))
      ) {
        throw new QueueError(
          'job_state_conflict',
          "The new job's id or task id is taken by another job. Submit again: new ones are drawn.",
        );
      }
      const existing = await db
        .selectFrom('agent_jobs')
        .selectAll()
        .where('type', '=', job.type)
        .where('dedupe_key', '=', job.dedupeKey)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      // The holder finished between our insert and this read: the key is free again, so try again.
      if (!existing) return store.jobInsert({ job, event, ...(notify ? { notify } : {}) });
      return { job: jobFromRow(c, existing), inserted: false };
    },

    async jobClaim({
      now,
      queue,
      workerId,
      types,
      capabilities,
      leaseToken,
      leaseExpiresAt,
      leaseSeconds,
      unlessPaused,
      event,
    }) {
      const update = claimUpdate({ now, workerId, leaseExpiresAt, leaseSeconds });
      const { row, pause, queuePause } = await d.writeClaim({
        pick: { now: t(now), queue, types, capabilities, unlessPaused },
        update: (pickedId) => update(pickedId, sql.val(leaseToken)),
        event: { at: t(now), event },
      });
      const job = row ? jobFromRow(c, row) : null;
      return { job, ...(await claimPauses(!!job, pause, queuePause, queue)) };
    },

    async jobClaimMany({
      now,
      queue,
      workerId,
      types,
      capabilities,
      claims,
      leaseExpiresAt,
      leaseSeconds,
      unlessPaused,
    }) {
      const { rows, pause, queuePause } = await d.writeClaimMany({
        pick: { now: t(now), queue, types, capabilities, unlessPaused },
        update: claimUpdate({ now, workerId, leaseExpiresAt, leaseSeconds }),
        event: { at: t(now), event: claims[0]!.event },
        slots: claims.map((cl) => ({ leaseToken: cl.leaseToken, data: cl.event.data })),
      });
      const jobs = rows.map((r) => jobFromRow(c, r));
      return { jobs, ...(await claimPauses(jobs.length > 0, pause, queuePause, queue)) };
    },

    async jobEndMany({ now, items }) {
      const expect = (leaseToken: string): JobExpectation => ({ status: 'running', leaseToken });
      const rows = await d.writeEndMany({
        items: items.map((i) => ({
          id: i.id,
          leaseToken: i.leaseToken,
          values: { ...jobToRow(c, i.set), updated_at: t(now) },
          event: { at: t(now), event: i.event },
        })),
        update: (i) => buildUpdate(i.id, expect(i.leaseToken), i.values).where('dependents', '=', 0),
      });
      return rows.map((r) => jobFromRow(c, r));
    },

    async jobAwait({ id, delta }) {
      if (!isUuid(id)) return null;
      // Not a transition: no event, no updated_at, so no compare-and-set of anyone else is upset.
      const count = sql<number>`case when awaiters + ${delta} < 0 then 0 else awaiters + ${delta} end`;
      const update = db.updateTable('agent_jobs').set({ awaiters: count }).where('id', '=', id);
      const row = await d.transaction(
        async (trx) => (await trx.executeQuery(returningJob(update).compile())).rows[0] as Row | undefined,
      );
      return row ? jobFromRow(c, row) : null;
    },

    async jobUpdate({ id, expect, set, now, event, notify }) {
      // Job ids are UUIDs, so any other string names no job. Checked before querying so that PostgreSQL's
      // uuid column does not turn a mistyped id into a type error where SQLite finds nothing (not_found).
      if (!isUuid(id)) return null;
      const update = buildUpdate(id, expect, { ...jobToRow(c, set), updated_at: t(now) });
      const { row } = await d.writeJob({
        query: update,
        event: event ? { at: t(now), event } : undefined,
        notify,
      });
      return row ? jobFromRow(c, row) : null;
    },

    ...dependencies,
    jobEnd: (p) => (isUuid(p.id) ? dependencies.jobEnd(p) : Promise.resolve(null)),
    jobRequeueWithDependencies: (p) =>
      isUuid(p.id) ? dependencies.jobRequeueWithDependencies(p) : Promise.resolve(null),
    jobDependencies: (p) => (isUuid(p.id) ? dependencies.jobDependencies(p) : Promise.resolve([])),

    async jobGet({ id }) {
      if (!isUuid(id)) return null;
      const row = await db.selectFrom('agent_jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? jobFromRow(c, row) : null;
    },

    async jobGetByTaskId({ taskId }) {
      const row = await db
        .selectFrom('agent_jobs')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      return row ? jobFromRow(c, row) : null;
    },

    async jobList({ queue, status, type, claimedBy, limit, before }) {
      let q = db.selectFrom('agent_jobs').selectAll();
      if (queue !== undefined) q = q.where('queue', '=', queue);
      if (status) q = q.where('status', '=', status);
      if (type) q = q.where('type', '=', type);
      if (claimedBy !== undefined) q = q.where('claimed_by', '=', claimedBy);
      if (before) q = q.where('id', '<', before.id);
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => jobFromRow(c, r));
    },

    async jobsExpiredList({ now, limit }) {
      const rows = await db
        .selectFrom('agent_jobs')
        .selectAll()
        .where('status', '=', 'running')
        .where('lease_expires_at', '<', t(now))
        // A paused queue's expired jobs wait for its resume; listing them would crowd out the rest.
        .where((eb) => eb.not(queuePaused(eb, eb.ref('agent_jobs.queue'))))
        .orderBy('lease_expires_at')
        .limit(limit)
        .execute();
      return rows.map((r) => jobFromRow(c, r));
    },

    async jobCounts({ now, queue }) {
      const n = t(now);
      let q = db
        .selectFrom('agent_jobs')
        .select((eb) => {
          // How many rows match: one sum of a 0/1 case per count, all in one scan.
          const count = (when: Expression<SqlBool>) =>
            eb.fn.sum<number>(eb.case().when(when).then(1).else(0).end());
          const queued = eb('status', '=', 'queued');
          const running = eb('status', '=', 'running');
          const free = eb.and([queued, eb('pending_dependencies', '=', 0)]);
          return [
            count(eb.and([free, eb('run_at', '<=', n)])).as('queued'),
            count(eb.and([free, eb('run_at', '>', n)])).as('delayed'),
            count(eb.and([queued, eb('pending_dependencies', '>', 0)])).as('blocked'),
            count(running).as('running'),
            count(eb.and([running, eb('lease_expires_at', '<', n)])).as('staleRunning'),
          ];
        })
        .where('status', 'in', ['queued', 'running']);
      if (queue !== undefined) q = q.where('queue', '=', queue);
      const row = await q.executeTakeFirst();
      return {
        queued: Number(row?.queued ?? 0),
        delayed: Number(row?.delayed ?? 0),
        blocked: Number(row?.blocked ?? 0),
        running: Number(row?.running ?? 0),
        staleRunning: Number(row?.staleRunning ?? 0),
      };
    },

    async jobTally({ limit }) {
      const rows = await db
        .selectFrom('agent_jobs')
        .select((eb) => ['status', 'type', eb.fn.countAll<number | string>().as('count')])
        .groupBy(['status', 'type'])
        .orderBy('count', 'desc')
        .orderBy('status')
        .orderBy('type')
        .limit(limit)
        .execute();
      // PostgreSQL answers count(*) as a bigint string.
      return rows.map((r) => ({ status: r.status as JobStatus, type: r.type, count: Number(r.count) }));
    },

    async jobNextRunAt({ queue, types, capabilities }) {
      const row = await db
        .selectFrom('agent_jobs')
        .select((eb) => eb.fn.min('run_at').as('next'))
        .where((eb) =>
          candidateFilter(eb, d.lists, {
            queue: { value: queue },
            types: { value: types },
            capabilities: { value: capabilities },
          }),
        )
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? null : c.timeOut(row.next);
    },

    async jobsPrune({ finishedBefore, limit }) {
      // Events go with their job, in one transaction (there is no foreign key to cascade).
      return d.transaction(async (trx) => {
        const victims = await trx
          .selectFrom('agent_jobs')
          .select('id')
          // Finished before the cutoff implies created before it: the id bound lets the primary key serve this.
          .where('id', '<', uuidv7Floor(finishedBefore.getTime()))
          .where('finished_at', '<', t(finishedBefore))
          .where('status', 'in', ['succeeded', 'failed', 'cancelled', 'dead_letter'])
          .limit(limit)
          .execute();
        const ids = victims.map((r) => r.id);
        if (ids.length === 0) return 0;
        await trx.deleteFrom('agent_job_events').where('job_id', 'in', ids).execute();
        // A job's own edges go with it; edges from a kept dependent to a pruned job stay, so that its
        // `get` can say the dependency was pruned (they go when that dependent is pruned).
        await trx.deleteFrom('agent_job_dependencies').where('job_id', 'in', ids).execute();
        const deleted = await trx.deleteFrom('agent_jobs').where('id', 'in', ids).executeTakeFirst();
        return Number(deleted.numDeletedRows);
      });
    },

    async eventsList({ jobId, after, limit, latest, kinds }) {
      if (!isUuid(jobId)) return [];
      let q = db.selectFrom('agent_job_events').selectAll().where('job_id', '=', jobId);
      if (after !== undefined) q = q.where('id', '>', after);
      if (kinds) q = kinds.length > 0 ? q.where('kind', 'in', [...kinds]) : q.where(sql.lit(false));
      const rows = await q
        .orderBy('id', latest ? 'desc' : 'asc')
        .limit(limit)
        .execute();
      if (latest) rows.reverse();
      return rows.map((r) => eventFromRow(c, r));
    },

    async pauseStateGet() {
      const row = await db
        .selectFrom('agent_worker_pause_state')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return pauseFromRow(c, row);
    },

    async pauseStateSet({ expectVersion, next, audit }) {
      return d.transaction(async (trx) => {
        const row = await trx
          .updateTable('agent_worker_pause_state')
          .set(pauseValues(next, expectVersion))
          .where('id', '=', 1)
          .where('version', '=', expectVersion)
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        await insertAudit(trx, audit, null);
        return pauseFromRow(c, row);
      });
    },

    async queuePauseGet(p) {
      let q = db.selectFrom('agent_queue_pause_state').selectAll();
      if ('queue' in p) q = q.where('queue', '=', p.queue);
      else {
        if (!isUuid(p.jobId)) return null;
        const jobQueue = db.selectFrom('agent_jobs').select('queue').where('id', '=', p.jobId);
        q = q.where('queue', '=', jobQueue);
      }
      const row = await q.executeTakeFirst();
      return row ? queuePauseFromRow(c, row, row.queue) : null;
    },

    async queuePauseSet({ queue, expectVersion, next, audit }) {
      const values = pauseValues(next, expectVersion);
      return d.transaction(async (trx) => {
        // Version 0 is a queue never paused: no row yet. Two first pauses racing: one inserts, the
        // other finds the row and answers null (a lost compare-and-set), as an update would.
        const row =
          expectVersion === 0
            ? await trx
                .insertInto('agent_queue_pause_state')
                .values({ queue, ...values })
                .onConflict((oc) => oc.doNothing())
                .returningAll()
                .executeTakeFirst()
            : await trx
                .updateTable('agent_queue_pause_state')
                .set(values)
                .where('queue', '=', queue)
                .where('version', '=', expectVersion)
                .returningAll()
                .executeTakeFirst();
        if (!row) return null;
        await insertAudit(trx, audit, queue);
        return queuePauseFromRow(c, row, queue);
      });
    },

    async controlEventsList({ limit, queue }) {
      let q = db.selectFrom('agent_system_control_events').selectAll();
      if (queue !== undefined) q = q.where((eb) => eb.or([eb('queue', 'is', null), eb('queue', '=', queue)]));
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => controlEventFromRow(c, r));
    },

    ...tokenMethods(d),
    ...scheduleMethods(d),
    ...limitMethods(d),

    notify: (signal) => d.notify(signal),
    subscribe: (handler) => d.subscribe(handler),
  };
  return store;

  /** A pause row's values after a change (the fleet's or a queue's): the next version. */
  function pauseValues(next: Omit<PauseRecord, 'version'>, expectVersion: number) {
    return {
      paused: c.bool(next.paused),
      mode: next.mode,
      reason: next.reason,
      requested_by: next.requestedBy,
      requested_at: next.requestedAt ? t(next.requestedAt) : null,
      updated_at: t(next.updatedAt),
      version: expectVersion + 1,
    };
  }

  /** The audit row of a pause or resume, in the transaction of its change; `queue` null is the fleet. */
  async function insertAudit(trx: Db, audit: Omit<ControlEvent, 'id'>, queue: string | null) {
    await trx
      .insertInto('agent_system_control_events')
      .values({
        action: audit.action,
        mode: audit.mode,
        reason: audit.reason,
        actor: audit.actor,
        at: t(new Date(audit.at)),
        queue,
      })
      .execute();
  }

  function applyExpectation(q: JobUpdate, expect: JobExpectation): JobUpdate {
    const statuses = typeof expect.status === 'string' ? [expect.status] : [...expect.status];
    let w = q.where('status', 'in', statuses);
    if (expect.leaseToken !== undefined) w = w.where('lease_token', '=', expect.leaseToken);
    if (expect.cancelRequested === true) w = w.where('cancel_requested_at', 'is not', null);
    if (expect.cancelRequested === false) w = w.where('cancel_requested_at', 'is', null);
    if (expect.leaseExpiredBefore) w = w.where('lease_expires_at', '<', t(expect.leaseExpiredBefore));
    if (expect.unlessPaused) {
      w = w.where((eb) => eb.not(eb.or([workersPaused(eb), queuePaused(eb, eb.ref('agent_jobs.queue'))])));
    }
    return w;
  }
}

export type { JobRecord };
