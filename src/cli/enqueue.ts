import { Option, type Command } from 'commander';
import { ACTOR_FLAG, defaultActor, defineCommand, intArg, listArg } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { when } from './format.js';
import { jsonObjectInputArg, readJsonInput, type JsonInput } from './json-input.js';

interface EnqueueFlags {
  payload?: JsonInput;
  priority?: number;
  capabilities?: string[];
  runAt?: string;
  delay?: number;
  maxAttempts?: number;
  dedupeKey?: string;
  actor?: string;
}

export function registerEnqueue(program: Command): void {
  addSettingFlags(defineCommand(program, 'enqueue <type>', 'Add a job to the queue.'), {
    command: 'enqueue',
  })
    .option(
      '--payload <json>',
      'job input as a JSON object (default {}); @file reads a file, - reads stdin',
      jsonObjectInputArg,
    )
    .option('--priority <n>', 'higher runs first (default 0)', intArg)
    .option('--capabilities <list>', 'comma-separated capabilities a worker must have', listArg)
    .addOption(new Option('--run-at <iso>', 'not claimable before this ISO-8601 time').conflicts('delay'))
    .addOption(new Option('--delay <seconds>', 'not claimable for this many seconds').argParser(intArg))
    .option('--max-attempts <n>', 'attempts before the job is dead-lettered (default 3)', intArg)
    .option('--dedupe-key <key>', 'while a job of this type and key is unfinished, return it instead')
    .option(...ACTOR_FLAG)
    .action(async (type: string, flags: EnqueueFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const payload = flags.payload
        ? ((await readJsonInput(flags.payload, '--payload', g.settings().queue.payloadLimitBytes, {
            object: true,
          })) as Record<string, unknown>)
        : {};
      const answer = await withQueue(g, (q) =>
        q.service.enqueue({
          type,
          payload,
          ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
          ...(flags.capabilities ? { requiredCapabilities: flags.capabilities } : {}),
          ...(flags.runAt !== undefined ? { runAt: flags.runAt } : {}),
          ...(flags.delay !== undefined ? { delaySeconds: flags.delay } : {}),
          ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
          ...(flags.dedupeKey !== undefined ? { dedupeKey: flags.dedupeKey } : {}),
          createdBy: flags.actor ?? defaultActor(),
          ...scope(g),
        }),
      );
      const { job } = answer;
      output(g, answer, () =>
        answer.deduplicated
          ? `${job.id}  already ${job.status} with dedupe key "${job.dedupeKey}": not enqueued again`
          : `${job.id}  enqueued ${job.type} (priority ${job.priority}, runs at ${when(job.runAt)})`,
      );
    });
}
