import type { Command } from 'commander';
import { defineCommand } from './args.js';
import { globalOptions, printJson, withQueue } from './context.js';

export function registerHeld(program: Command): void {
  defineCommand(
    program,
    'held',
    'List the running jobs this worker id holds, with their lease tokens (prints JSON), e.g. after a restart.',
  )
    .requiredOption('--worker-id <id>', 'the worker id the jobs were claimed with')
    .action(async (flags: { workerId: string }, cmd: Command) => {
      const answer = await withQueue(globalOptions(cmd), (q) => q.service.held({ workerId: flags.workerId }));
      printJson(answer);
    });
}
