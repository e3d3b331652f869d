import type { Command } from 'commander';
import { defineCommand, intArg } from './args.js';
import { globalOptions, output, withQueue } from './context.js';

export function registerPrune(program: Command): void {
  defineCommand(
    program,
    'prune',
    'Delete finished jobs (and their events) older than the retention period, in small batches.',
  )
    .option(
      '--older-than-days <n>',
      'delete jobs that finished more than n days ago (default AGENT_QUEUE_RETENTION_DAYS, 14)',
      intArg,
    )
    .action(async (flags: { olderThanDays?: number }, cmd: Command) => {
      const g = globalOptions(cmd);
      const days = flags.olderThanDays ?? g.settings().queue.retentionDays;
      const deleted = await withQueue(g, (q) => q.service.pruneFinished(days));
      output(
        g,
        { deleted, olderThanDays: days },
        () => `deleted ${deleted} finished job(s) older than ${days} day(s)`,
      );
    });
}
