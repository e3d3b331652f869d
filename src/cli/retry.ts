import type { Command } from 'commander';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, withQueue } from './context.js';

export function registerRetry(program: Command): void {
  defineCommand(
    program,
    'retry <id>',
    'Queue a failed or dead-lettered job again, with a fresh set of attempts (or a job cancelled while it waited for dependencies).',
  )
    .option(...ACTOR_FLAG)
    .action(async (id: string, flags: { actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.retry({ jobId: id, requestedBy: flags.actor ?? defaultActor() }),
      );
      output(g, answer, () => `${answer.job.id}  queued again (attempts 0/${answer.job.maxAttempts})`);
    });
}
