// The agent_schedules table: recurring jobs. The fire is one transaction: the compare-and-set that
// moves the schedule to its new tick, and the insert of the tick's job, together or not at all.
import type { Codec, Row } from './codec.js';
import type { Dialect } from './dialect.js';
import { jobFromRow, jobToRow } from './rows.js';
import { JOB_COLUMNS } from './job-fields.js';
import type { ScheduleRecord, Store } from './store.js';
import type { JsonObject } from '../core/job.js';

type ScheduleMethods = Pick<
  Store,
  'scheduleInsert' | 'scheduleList' | 'scheduleRemove' | 'schedulesDue' | 'scheduleFire'
>;

export function scheduleMethods(d: Dialect): ScheduleMethods {
  const { db, codec: c } = d;
  return {
    async scheduleInsert({ schedule, replace }) {
      const row = scheduleToRow(c, schedule);
      const result = await db
        .insertInto('agent_schedules')
        .values(row)
        .onConflict((oc) => {
          const target = oc.column('name');
          // A replaced schedule keeps its creation; its ticks start again from now.
          if (!replace) return target.doNothing();
          const { name: _name, created_at: _created, created_by: _by, ...rest } = row;
          return target.doUpdateSet(rest);
        })
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async scheduleList() {
      const rows = await db.selectFrom('agent_schedules').selectAll().orderBy('name').execute();
      return rows.map((r) => scheduleFromRow(c, r));
    },

    async scheduleRemove({ name }) {
      const result = await db.deleteFrom('agent_schedules').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async schedulesDue({ now, limit }) {
      const rows = await db
        .selectFrom('agent_schedules')
        .selectAll()
        .where('next_tick', '<=', c.time(now))
        .orderBy('next_tick')
        .limit(limit)
        .execute();
      return rows.map((r) => scheduleFromRow(c, r));
    },

    async scheduleFire({ name, expectNextTick, tick, nextTick, job, event }) {
      return d.transaction(async (trx) => {
        const moved = await trx
          .updateTable('agent_schedules')
          .set({ last_tick: c.time(tick), next_tick: c.time(nextTick) })
          .where('name', '=', name)
          .where('next_tick', '=', c.time(expectNextTick))
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 0) return null;
        const inserted = (await trx
          .insertInto('agent_jobs')
          .values(jobToRow(c, job) as never)
          // The tick's dedupe key is taken only if its job is somehow still unfinished: then it
          // stands for this tick, and nothing is added.
          .onConflict((oc) => oc.doNothing())
          .returning(JOB_COLUMNS)
          .executeTakeFirst()) as Row | undefined;
        if (!inserted) return { job: null };
        await trx
          .insertInto('agent_job_events')
          .values({
            job_id: job.id,
            at: c.time(job.createdAt),
            level: event.level,
            kind: event.kind,
            attempt: 0,
            message: event.message ?? null,
            data: event.data === undefined || event.data === null ? null : c.json(event.data),
          })
          .execute();
        return { job: jobFromRow(c, inserted) };
      });
    },
  };
}

function scheduleToRow(c: Codec, s: ScheduleRecord) {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    type: s.type,
    payload: c.json(s.payload),
    priority: s.priority,
    required_capabilities: c.strings(s.requiredCapabilities),
    max_attempts: s.maxAttempts,
    queue: s.queue,
    concurrency_key: s.concurrencyKey,
    created_by: s.createdBy,
    created_at: c.time(s.createdAt),
    updated_at: c.time(s.updatedAt),
    last_tick: c.time(s.lastTick),
    next_tick: c.time(s.nextTick),
  };
}

function scheduleFromRow(c: Codec, r: Row): ScheduleRecord {
  return {
    name: r.name as string,
    cron: r.cron as string,
    timezone: r.timezone as string,
    type: r.type as string,
    payload: c.jsonOut(r.payload) as JsonObject,
    priority: Number(r.priority),
    requiredCapabilities: c.stringsOut(r.required_capabilities),
    maxAttempts: r.max_attempts === null ? null : Number(r.max_attempts),
    queue: r.queue as string,
    concurrencyKey: (r.concurrency_key as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: c.timeOut(r.created_at),
    updatedAt: c.timeOut(r.updated_at),
    lastTick: c.timeOut(r.last_tick),
    nextTick: c.timeOut(r.next_tick),
  };
}
