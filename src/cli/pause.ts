import { Option, type Command } from 'commander';
import { pauseInput } from '../queue/schemas.js';
import { ACTOR_FLAG, defaultActor, defineCommand } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { pauseText } from './render.js';

export function registerPause(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'pause',
      'Pause the worker fleet (with --queue: one named queue): drain stops new claims; quiesce also pauses running jobs.',
    ),
    { command: 'pause' },
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
          ...scope(g),
        }),
      );
      output(g, answer, () => {
        const m = answer.metrics;
        return [
          `${answer.changed ? pausedWhat(answer.system.queue) : 'already'} ${pauseText(answer.system)}`,
          `running ${m.running}, isDrained ${m.isDrained}`,
          afterPause(flags.mode, m.isDrained, answer.system.queue),
        ].join('\n');
      });
    });
}

const pausedWhat = (queue: string | undefined) => (queue === undefined ? 'workers' : `queue ${queue}`);

/** What the operator can do next, true for the mode: quiesced jobs stay running, so never "wait for drained". */
function afterPause(mode: 'drain' | 'quiesce', drained: boolean, queue: string | undefined): string {
  const q = queue === undefined ? '' : ` --queue ${queue}`;
  if (mode === 'quiesce') {
    return `running jobs stop at their next checkpoint and keep heartbeating (they stay running, so ${queue === undefined ? 'the fleet' : 'the queue'} does not drain); continue them with: agent-queue resume${q} --reason r`;
  }
  return drained
    ? `drained; when done: agent-queue resume${q} --reason r`
    : `running jobs finish normally; wait for them with: agent-queue status${q} --watch`;
}
