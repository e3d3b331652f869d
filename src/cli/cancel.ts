import type { Command } from 'commander';
import type { Job } from '../core/types.js';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';

export function registerCancel(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'cancel <id>',
      'Cancel a job: queued jobs at once, running jobs at their next heartbeat.',
    ),
    { command: 'cancel' },
  )
    .option('--reason <text>', 'why (shown to the worker and in the timeline)')
    .option(...ACTOR_FLAG)
    .action(async (id: string, flags: { reason?: string; actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.cancel({
          jobId: id,
          ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
          requestedBy: flags.actor ?? defaultActor(),
          ...scope(g),
        }),
      );
      output(g, answer, () => describe(answer.job));
    });
}

function describe(job: Job): string {
  if (job.status === 'cancelled') return `${job.id}  cancelled`;
  return `${job.id}  cancellation requested; ${job.claimedBy ?? 'its worker'} is told at its next heartbeat and the job stays running until it stops`;
}
