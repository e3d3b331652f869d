// Recurring jobs over REST (docs/schedules.md): operator configuration, like limits and the pause.
// No MCP tool: an agent that wants work later enqueues with runAt or delaySeconds.
import { z } from 'zod';
import * as S from '../../queue/schemas.js';
import type { RestRoute } from './route.js';
import { actedBy } from './caller.js';

const SCHEDULES = '/api/schedules';

const schedule = z.looseObject({
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  type: z.string(),
  queue: z.string(),
  lastTick: z.string(),
  nextTick: z.string(),
});

export const SCHEDULE_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    path: SCHEDULES,
    operationId: 'scheduleList',
    summary: 'Recurring jobs: each cron expression, the job it enqueues, its last and next tick.',
    permission: 'read',
    output: z.looseObject({ schedules: z.array(schedule) }),
    handler: ({ service }) => service.scheduleList(),
  },
  {
    method: 'POST',
    path: SCHEDULES,
    operationId: 'scheduleAdd',
    summary:
      'Add a schedule {name, cron, timezone?, type, payload?, …, replace?}: each tick enqueues the job once, fleet-wide.',
    permission: 'operate',
    status: () => 201,
    input: S.scheduleAddInput,
    output: z.looseObject({ schedule }),
    handler: ({ service, input, c }) =>
      service.scheduleAdd(actedBy(c, input, 'createdBy') as S.ScheduleAddInput),
  },
  {
    method: 'DELETE',
    path: `${SCHEDULES}/{name}`,
    operationId: 'scheduleRemove',
    summary: 'Remove a schedule: no further ticks fire; jobs it enqueued stay.',
    permission: 'operate',
    input: S.scheduleRemoveInput,
    output: z.looseObject({ removed: z.string() }),
    handler: ({ service, input }) => service.scheduleRemove(input as S.ScheduleRemoveInput),
  },
];
