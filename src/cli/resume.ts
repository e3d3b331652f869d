import type { Command } from 'commander';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';

export function registerResume(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'resume',
      "Let workers claim jobs again after a pause (with --queue: that queue's own pause).",
    ),
    { command: 'resume' },
  )
    .requiredOption('--reason <text>', 'why (recorded in the audit)')
    .option(
      '--force',
      'after a drain: resume even though jobs are still running (never needed after a quiesce)',
    )
    .option(...ACTOR_FLAG)
    .action(async (flags: { reason: string; force?: boolean; actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.control.resume({
          reason: flags.reason,
          force: flags.force === true,
          requestedBy: flags.actor ?? defaultActor(),
          ...scope(g),
        }),
      );
      output(
        g,
        answer,
        () =>
          `${answer.system.queue !== undefined ? `queue ${answer.system.queue}` : 'workers'} resumed (version ${answer.system.version}); running ${answer.metrics.running}`,
      );
    });
}
