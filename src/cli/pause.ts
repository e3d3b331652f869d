import { Option, type Command } from 'commander';
import { pauseInput } from '../queue/schemas.js';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, withQueue } from './context.js';
import { pauseText } from './render.js';

export function registerPause(program: Command): void {
  defineCommand(
    program,
    'pause',
    'Pause the worker fleet: drain stops new claims; quiesce also pauses running jobs.',
  )
    .addOption(
      new Option('--mode <mode>', 'drain or quiesce')
        .choices(pauseInput.shape.mode.options)
        .makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why (recorded in the audit, shown to workers)')
    .option(...ACTOR_FLAG)
    .action(async (flags: { mode: 'drain' | 'quiesce'; reason: string; actor?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.control.pause({
          mode: flags.mode,
          reason: flags.reason,
          requestedBy: flags.actor ?? defaultActor(),
        }),
      );
      output(g, answer, () => {
        const m = answer.metrics;
        return [
          `${answer.changed ? 'workers' : 'already'} ${pauseText(answer.system)}`,
          `running ${m.running}, isDrained ${m.isDrained}`,
          afterPause(flags.mode, m.isDrained),
        ].join('\n');
      });
    });
}

/** What the operator can do next, true for the mode: quiesced jobs stay running, so never "wait for drained". */
function afterPause(mode: 'drain' | 'quiesce', drained: boolean): string {
  if (mode === 'quiesce') {
    return 'running jobs stop at their next checkpoint and keep heartbeating (they stay running, so the fleet does not drain); continue them with: agent-queue resume --reason r';
  }
  return drained
    ? 'drained; when done: agent-queue resume --reason r'
    : 'running jobs finish normally; wait for them with: agent-queue status --watch';
}
