import type { Command } from 'commander';
import { MAX_CLAIM_WAIT_SECONDS } from '../queue/schemas.js';
import { defineCommand, numberArg } from './args.js';
import { globalOptions, interruptSignal, printJson, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';

export function registerWait(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'wait <id>',
      'Wait until a job ends (prints JSON {job, done}; done false: it had not ended by the deadline).',
    ),
    { command: 'wait' },
  )
    .option(
      '--wait <seconds>',
      `how long to wait, at most ${MAX_CLAIM_WAIT_SECONDS} (default ${MAX_CLAIM_WAIT_SECONDS})`,
      numberArg,
    )
    .action(async (id: string, flags: { wait?: number }, cmd: Command) => {
      // Ctrl-C ends the wait early with the job as it stands.
      const stop = interruptSignal();
      try {
        const g = globalOptions(cmd);
        const answer = await withQueue(g, (q) =>
          q.service.wait(
            { jobId: id, ...(flags.wait !== undefined ? { waitSeconds: flags.wait } : {}), ...scope(g) },
            { signal: stop.signal },
          ),
        );
        printJson(answer);
      } finally {
        stop.dispose();
      }
    });
}
