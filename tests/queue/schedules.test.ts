// Recurring jobs (SPEC §16): a schedule fires at its ticks and never before, exactly once per tick
// however many services (processes) fire it at once, and after a gap one catch-up job, not a flood.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import type { QueueService } from '../../src/queue/service.js';

describe.each(backendsForSuite())('schedules ($name)', (backend) => {
  let q: TestQueue;
  let clock: FakeClock;
  // 2030-01-01 is a Tuesday; the clock starts at midnight UTC.
  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock('2030-01-01T00:00:00.000Z')) }),
  );

  const jobsOf = async (svc: QueueService = q.service) =>
    (await svc.list({ type: 'nightly.audit', full: true })).jobs;

  const addNightly = (over: Record<string, unknown> = {}) =>
    q.service.scheduleAdd({
      name: 'nightly',
      cron: '0 3 * * *',
      type: 'nightly.audit',
      payload: { repo: 'acme/api' },
      priority: 7,
      ...over,
    });

  it('fires at its tick, not before, with the job it describes and a dedupe key per tick', async () => {
    const { schedule } = await addNightly({ requiredCapabilities: ['git'], maxAttempts: 2 });
    expect(schedule).toMatchObject({
      name: 'nightly',
      nextTick: '2030-01-01T03:00:00.000Z',
      timezone: 'UTC',
    });
    clock.advance(3 * 3600 - 1);
    expect(await q.service.fireDueSchedules()).toBe(0);
    expect(await jobsOf()).toEqual([]);
    clock.advance(1);
    expect(await q.service.fireDueSchedules()).toBe(1);
    expect(await q.service.fireDueSchedules()).toBe(0);
    const [job] = await jobsOf();
    expect(job).toMatchObject({
      type: 'nightly.audit',
      status: 'queued',
      payload: { repo: 'acme/api' },
      priority: 7,
      requiredCapabilities: ['git'],
      maxAttempts: 2,
      dedupeKey: 'schedule:nightly:2030-01-01T03:00:00.000Z',
      createdBy: 'schedule:nightly',
      queue: 'default',
    });
    const { schedules } = await q.service.scheduleList();
    expect(schedules[0]).toMatchObject({
      lastTick: '2030-01-01T03:00:00.000Z',
      nextTick: '2030-01-02T03:00:00.000Z',
    });
    // The next day's tick fires again, even though the first job is still unfinished.
    clock.advance(86_400);
    expect(await q.service.fireDueSchedules()).toBe(1);
    expect((await jobsOf()).map((j) => j.dedupeKey)).toEqual([
      'schedule:nightly:2030-01-02T03:00:00.000Z',
      'schedule:nightly:2030-01-01T03:00:00.000Z',
    ]);
  });

  it('after a gap fires one catch-up job for the newest missed tick, then keeps its rhythm', async () => {
    await addNightly();
    // Nothing ran for ten days and a bit: ten ticks were missed.
    clock.advance(10 * 86_400 + 4 * 3600);
    expect(await q.service.fireDueSchedules()).toBe(1);
    expect(await q.service.fireDueSchedules()).toBe(0);
    const jobs = await jobsOf();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.dedupeKey).toBe('schedule:nightly:2030-01-11T03:00:00.000Z');
    const { events } = await q.service.events({ jobId: jobs[0]!.id });
    expect(events[0]).toMatchObject({
      kind: 'enqueued',
      data: { schedule: 'nightly', tick: '2030-01-11T03:00:00.000Z', missedTicks: 10 },
    });
    expect(events[0]!.message).toMatch(/catch-up for 10 earlier missed tick/);
    clock.advance(86_400);
    expect(await q.service.fireDueSchedules()).toBe(1);
    expect((await jobsOf())[0]!.dedupeKey).toBe('schedule:nightly:2030-01-12T03:00:00.000Z');
  });

  it('three services firing the same tick at once enqueue it exactly once', async () => {
    await q.service.scheduleAdd({ name: 'every-minute', cron: '* * * * *', type: 'nightly.audit' });
    const services = [q.service, q.connect({ clock }), q.connect({ clock })];
    for (let minute = 1; minute <= 5; minute++) {
      clock.advance(60);
      const fired = await Promise.all(services.flatMap((s) => [s.fireDueSchedules(), s.fireDueSchedules()]));
      expect(
        fired.reduce((a, b) => a + b, 0),
        `minute ${minute}`,
      ).toBe(1);
    }
    const keys = (await jobsOf()).map((j) => j.dedupeKey);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(5);
  });

  it('names a time zone: 03:00 in Berlin is 02:00 UTC in winter', async () => {
    const { schedule } = await addNightly({ timezone: 'Europe/Berlin' });
    expect(schedule.nextTick).toBe('2030-01-01T02:00:00.000Z');
  });

  it('into a named queue, with a concurrency key', async () => {
    await addNightly({ queue: 'acme-api', concurrencyKey: 'repo:acme/api' });
    clock.advance(3 * 3600);
    await q.service.fireDueSchedules();
    expect((await jobsOf())[0]).toMatchObject({ queue: 'acme-api', concurrencyKey: 'repo:acme/api' });
  });

  it('remove stops it; list shows what is left', async () => {
    await addNightly();
    await q.service.scheduleAdd({ name: 'hourly', cron: '0 * * * *', type: 'nightly.audit' });
    expect(await q.service.scheduleRemove({ name: 'nightly' })).toEqual({ removed: 'nightly' });
    clock.advance(3 * 3600);
    expect(await q.service.fireDueSchedules()).toBe(1);
    expect((await jobsOf()).map((j) => j.createdBy)).toEqual(['schedule:hourly']);
    expect((await q.service.scheduleList()).schedules.map((s) => s.name)).toEqual(['hourly']);
    await expectQueueError(q.service.scheduleRemove({ name: 'nightly' }), 'not_found', /schedule list/);
  });

  it('refuses a bad expression, a bad time zone and a taken name, and writes nothing', async () => {
    await expectQueueError(addNightly({ cron: 'every day' }), 'invalid_argument', /0 3 \* \* \*/);
    await expectQueueError(addNightly({ cron: '61 * * * *' }), 'invalid_argument', /cron "61/);
    await expectQueueError(addNightly({ timezone: 'Mars/Olympus' }), 'invalid_argument', /IANA time zone/);
    await expectQueueError(addNightly({ name: 'Bad Name' }), 'invalid_argument', /name/);
    expect((await q.service.scheduleList()).schedules).toEqual([]);
    await addNightly();
    await expectQueueError(addNightly({ cron: '0 4 * * *' }), 'job_state_conflict', /replace/);
    // replace: the new expression, its ticks counted from now.
    clock.advance(60);
    const { schedule } = await addNightly({ cron: '0 4 * * *', replace: true });
    expect(schedule.nextTick).toBe('2030-01-01T04:00:00.000Z');
    const [listed] = (await q.service.scheduleList()).schedules;
    expect(listed).toMatchObject({ cron: '0 4 * * *', nextTick: '2030-01-01T04:00:00.000Z' });
    expect(listed!.createdAt).toBe('2030-01-01T00:00:00.000Z');
  });
});
