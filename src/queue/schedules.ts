// Recurring jobs: schedules in the database, fired by any live process (the background tick of
// mcp, serve and the worker). A tick enqueues exactly once however many processes see it due:
// the store moves the schedule from the tick it was read at to the new one and inserts the job
// in the same transaction, so only one process's fire applies; the job also carries the dedupe key
// `schedule:NAME:TICK`. After a gap (nothing ran), only the newest missed tick fires: one catch-up
// job, its event saying how many ticks were missed.
import { QueueError } from '../core/errors.js';
import type { ScheduleRecord } from '../store/store.js';
import type { QueueContext } from './context.js';
import { cronSchedule } from './cron.js';
import * as S from './schemas.js';
import { newJobRecord } from './transitions.js';
import { parseInput } from './validate.js';
import { assertJsonWithinLimit } from './validate.js';
import { readySignal } from './wakeups.js';

/** A schedule as every surface shows it: times as ISO-8601 strings. */
export type ScheduleView = Omit<ScheduleRecord, 'createdAt' | 'updatedAt' | 'lastTick' | 'nextTick'> & {
  createdAt: string;
  updatedAt: string;
  lastTick: string;
  nextTick: string;
};

// An expression with no further tick (e.g. a date that never comes again) is parked here.
const NEVER = new Date('9999-12-31T23:59:59.000Z');
// Due schedules handled per round; more wait for the next round (a second later).
const FIRE_BATCH = 50;

const view = (s: ScheduleRecord): ScheduleView => ({
  ...s,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  lastTick: s.lastTick.toISOString(),
  nextTick: s.nextTick.toISOString(),
});

export async function addSchedule(
  ctx: QueueContext,
  raw: S.ScheduleAddInput,
): Promise<{ schedule: ScheduleView }> {
  const input = parseInput(S.scheduleAddInput, raw, 'schedule add');
  assertJsonWithinLimit('payload', input.payload, ctx.settings.payloadLimitBytes);
  const cron = cronSchedule(input.cron, input.timezone);
  const now = ctx.clock.now();
  const schedule: ScheduleRecord = {
    name: input.name,
    cron: input.cron,
    timezone: input.timezone,
    type: input.type,
    payload: input.payload,
    priority: input.priority,
    requiredCapabilities: [...new Set(input.requiredCapabilities)],
    maxAttempts: input.maxAttempts ?? null,
    queue: input.queue,
    concurrencyKey: input.concurrencyKey ?? null,
    createdBy: input.createdBy ?? null,
    createdAt: now,
    updatedAt: now,
    // No tick before the schedule existed ever fires.
    lastTick: now,
    nextTick: cron.next(now) ?? NEVER,
  };
  if (!(await ctx.store.scheduleInsert({ schedule, replace: input.replace }))) {
    throw new QueueError(
      'job_state_conflict',
      `A schedule named "${input.name}" exists. Remove it first, pick another name, or replace it (--replace / replace: true).`,
    );
  }
  return { schedule: view(schedule) };
}

export async function listSchedules(ctx: QueueContext): Promise<{ schedules: ScheduleView[] }> {
  return { schedules: (await ctx.store.scheduleList()).map(view) };
}

export async function removeSchedule(
  ctx: QueueContext,
  raw: S.ScheduleRemoveInput,
): Promise<{ removed: string }> {
  const { name } = parseInput(S.scheduleRemoveInput, raw, 'schedule remove');
  if (!(await ctx.store.scheduleRemove({ name }))) {
    throw new QueueError(
      'not_found',
      `No schedule named "${name}". List them with \`agent-queue schedule list\`.`,
    );
  }
  return { removed: name };
}

/** One round: enqueues the job of every due schedule (once per tick); returns how many it enqueued. */
export async function fireDueSchedules(ctx: QueueContext): Promise<number> {
  const now = ctx.clock.now();
  let fired = 0;
  for (const s of await ctx.store.schedulesDue({ now, limit: FIRE_BATCH })) {
    if (await fire(ctx, s, now)) fired++;
  }
  return fired;
}

async function fire(ctx: QueueContext, s: ScheduleRecord, now: Date): Promise<boolean> {
  const cron = cronSchedule(s.cron, s.timezone);
  // The newest tick by now: after a gap, the missed ones before it are counted, not run.
  const latest = cron.latest(now);
  const tick = latest && latest > s.lastTick ? latest : s.nextTick;
  const missed = Math.max(0, cron.count(s.lastTick, tick) - 1);
  const tickIso = tick.toISOString();
  const input = S.enqueueInput.parse({
    type: s.type,
    payload: s.payload,
    priority: s.priority,
    requiredCapabilities: s.requiredCapabilities,
    queue: s.queue,
    ...(s.concurrencyKey ? { concurrencyKey: s.concurrencyKey } : {}),
    ...(s.maxAttempts !== null ? { maxAttempts: s.maxAttempts } : {}),
    dedupeKey: `schedule:${s.name}:${tickIso}`,
    createdBy: `schedule:${s.name}`,
  });
  const job = newJobRecord(input, {
    now,
    runAt: now,
    maxAttempts: input.maxAttempts ?? ctx.settings.defaultMaxAttempts,
  });
  const data = {
    priority: job.priority,
    runAt: now.toISOString(),
    schedule: s.name,
    tick: tickIso,
    missedTicks: missed,
  };
  const event = {
    level: 'info' as const,
    kind: 'enqueued',
    message:
      missed > 0
        ? `schedule ${s.name}: tick ${tickIso}, a catch-up for ${missed} earlier missed tick(s), which do not run`
        : `schedule ${s.name}: tick ${tickIso}`,
    data,
  };
  const out = await ctx.store.scheduleFire({
    name: s.name,
    expectNextTick: s.nextTick,
    tick,
    nextTick: cron.next(tick) ?? NEVER,
    job,
    event,
  });
  if (!out?.job) return false;
  ctx.observers.emit({ job: out.job, kind: event.kind, data, at: now });
  await ctx.store.notify(readySignal(out.job)).catch(() => {});
  return true;
}
