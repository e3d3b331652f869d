import type { Command } from 'commander';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';

export function registerRetry(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'retry <id>',
      'Queue a failed or dead-lettered job again, with a fresh set of attempts (or a job cancelled while it waited for dependencies).',
    ),
    { command: 'retry' },
  )
    .option(...ACTOR_FLAG)
    .action(async (id: string, flags: { actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.retry({ jobId: id, requestedBy: flags.actor ?? defaultActor(), ...scope(g) }),
      );
      output(g, answer, () => `${answer.job.id}  queued again (attempts 0/${answer.job.maxAttempts})`);
    });
}
