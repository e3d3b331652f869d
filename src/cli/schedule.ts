// `agent-queue schedule add|list|remove`: recurring jobs (docs/schedules.md). The schedules live in
// the database; every long-running process (mcp, serve, a local worker) fires them.
import type { Command } from 'commander';
import type { ScheduleView } from '../queue/service.js';
import { ACTOR_FLAG, defaultActor, defineCommand, intArg, listArg } from './args.js';
import { globalOptions, output, withQueue } from './context.js';
import { table, when } from './format.js';
import { jsonObjectInputArg, readPayloadFlag, type JsonInput } from './json-input.js';

interface AddFlags {
  cron: string;
  type: string;
  payload?: JsonInput;
  priority?: number;
  capabilities?: string[];
  maxAttempts?: number;
  queue?: string;
  concurrencyKey?: string;
  tz?: string;
  replace?: boolean;
  actor?: string;
}

export function registerSchedule(program: Command): void {
  const schedule = defineCommand(
    program,
    'schedule',
    'Recurring jobs: a cron expression and the job each tick enqueues (once per tick, fleet-wide).',
  );

  defineCommand(schedule, 'add <name>', 'Add a schedule (its first tick is the next one from now).')
    .requiredOption('--cron <expr>', 'e.g. "0 3 * * *" (03:00 daily); six fields put seconds first')
    .requiredOption('--type <type>', 'the job type each tick enqueues')
    .option(
      '--payload <json>',
      'job input as a JSON object; @file reads a file, - reads stdin',
      jsonObjectInputArg,
    )
    .option('--priority <n>', 'higher runs first (default 0)', intArg)
    .option('--capabilities <list>', 'comma-separated capabilities a worker must have', listArg)
    .option('--max-attempts <n>', 'attempts before a job is dead-lettered (default 3)', intArg)
    .option('--queue <name>', 'the named queue its jobs go to (default: default)')
    .option('--concurrency-key <key>', 'its jobs share this concurrency key')
    .option('--tz <zone>', 'IANA time zone of the expression (default UTC)')
    .option('--replace', 'overwrite a schedule of the same name')
    .option(...ACTOR_FLAG)
    .action(async (name: string, flags: AddFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const payload = await readPayloadFlag(flags.payload, g.settings().queue.payloadLimitBytes);
      const answer = await withQueue(g, (q) =>
        q.service.scheduleAdd({
          name,
          cron: flags.cron,
          type: flags.type,
          payload,
          ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
          ...(flags.capabilities ? { requiredCapabilities: flags.capabilities } : {}),
          ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
          ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
          ...(flags.concurrencyKey !== undefined ? { concurrencyKey: flags.concurrencyKey } : {}),
          ...(flags.tz !== undefined ? { timezone: flags.tz } : {}),
          replace: flags.replace === true,
          createdBy: flags.actor ?? defaultActor(),
        }),
      );
      const s = answer.schedule;
      output(
        g,
        answer,
        () => `schedule "${s.name}": ${s.type} at "${s.cron}" (${s.timezone}), next ${when(s.nextTick)}`,
      );
    });

  defineCommand(schedule, 'list', 'List schedules with their next tick.').action(
    async (_flags: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) => q.service.scheduleList());
      output(g, answer, () =>
        answer.schedules.length === 0 ? 'no schedules' : scheduleTable(answer.schedules),
      );
    },
  );

  defineCommand(
    schedule,
    'remove <name>',
    'Remove a schedule: no further ticks fire (jobs already enqueued stay).',
  ).action(async (name: string, _flags: unknown, cmd: Command) => {
    const g = globalOptions(cmd);
    const answer = await withQueue(g, (q) => q.service.scheduleRemove({ name }));
    output(g, answer, () => `removed schedule "${answer.removed}"`);
  });
}

function scheduleTable(schedules: ScheduleView[]): string {
  return table(
    ['NAME', 'CRON', 'ZONE', 'TYPE', 'QUEUE', 'LAST TICK', 'NEXT TICK'],
    schedules.map((s) => [s.name, s.cron, s.timezone, s.type, s.queue, when(s.lastTick), when(s.nextTick)]),
  );
}
