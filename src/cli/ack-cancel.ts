import type { Command } from 'commander';
import { defineCommand } from './args.js';
import { globalOptions, printJson, withQueue } from './context.js';

export function registerAckCancel(program: Command): void {
  defineCommand(
    program,
    'ack-cancel <id>',
    'Acknowledge a cancellation request for a job you hold; it ends as cancelled (prints JSON).',
  )
    .requiredOption('--lease-token <token>', 'lease.token from the claim answer')
    .option('--message <text>', 'what was left undone')
    .action(async (id: string, flags: { leaseToken: string; message?: string }, cmd: Command) => {
      const answer = await withQueue(globalOptions(cmd), (q) =>
        q.service.ackCancel({
          jobId: id,
          leaseToken: flags.leaseToken,
          ...(flags.message !== undefined ? { message: flags.message } : {}),
        }),
      );
      printJson(answer);
    });
}
