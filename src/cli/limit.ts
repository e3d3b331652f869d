// `agent-queue limit set|list|remove`: concurrency-key limits (SPEC §16), an operator's setting.
// A key without a limit of its own runs one job at a time; 0 holds the key.
import type { Command } from 'commander';
import type { KeyUsageView, LimitChange } from '../queue/limits.js';
import { ACTOR_FLAG, defaultActor, defineCommand, intArg } from './args.js';
import { globalOptions, output, withQueue } from './context.js';
import { table, when } from './format.js';

export function registerLimit(program: Command): void {
  const limit = defineCommand(
    program,
    'limit',
    'Concurrency-key limits: how many jobs with one concurrencyKey run at once (default 1).',
  );

  defineCommand(limit, 'set', "Set a key's limit; 0 holds the key (none of its jobs start).")
    .argument('<key>', 'the concurrencyKey, e.g. repo:acme/api')
    .argument('<max>', 'most of its jobs running at once (0 to 10000)', intArg)
    .option(...ACTOR_FLAG)
    .action(async (key: string, max: number, flags: { actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.limits.set({ key, max, updatedBy: flags.actor ?? defaultActor() }),
      );
      output(g, answer, () => changeText(answer));
    });

  defineCommand(limit, 'list', 'Keys with a limit of their own or with queued or running jobs.').action(
    async (_flags: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) => q.service.limits.list());
      output(g, answer, () =>
        answer.keys.length === 0
          ? `no key has a limit of its own or unfinished jobs; every key runs ${answer.defaultMax} job at a time`
          : limitTable(answer.keys),
      );
    },
  );

  defineCommand(limit, 'remove <key>', "Remove a key's own limit: the default applies again.").action(
    async (key: string, _flags: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) => q.service.limits.remove({ key }));
      output(g, answer, () =>
        answer.removed
          ? `removed the limit of "${key}" (was ${answer.previousMax}): the default of ${answer.limit.max} applies`
          : `"${key}" had no limit of its own: the default of ${answer.limit.max} applies`,
      );
    },
  );
}

function changeText({ limit, previousMax }: LimitChange): string {
  const what =
    limit.max === 0
      ? 'the key is held: none of its jobs start'
      : `at most ${limit.max} of its jobs run at once`;
  return `limit of "${limit.key}" is ${limit.max} (was ${previousMax}): ${what}`;
}

function limitTable(keys: KeyUsageView[]): string {
  return table(
    ['KEY', 'MAX', 'RUNNING', 'QUEUED', 'UPDATED', 'BY'],
    keys.map((k) => [
      k.key,
      k.isDefault ? `${k.max} (default)` : k.max === 0 ? '0 (held)' : k.max,
      k.running,
      k.queued,
      when(k.updatedAt),
      k.updatedBy,
    ]),
  );
}
