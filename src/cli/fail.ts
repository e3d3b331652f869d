import type { Command } from 'commander';
import { defineCommand } from './args.js';
import { globalOptions, printJson, withQueue } from './context.js';

export function registerFail(program: Command): void {
  defineCommand(
    program,
    'fail <id>',
    'Report that a job you hold failed; it is retried unless --no-retry (prints JSON).',
  )
    .requiredOption('--lease-token <token>', 'lease.token from the claim answer')
    .requiredOption('--error <text>', 'what went wrong')
    .option('--no-retry', 'retrying cannot help: end the job as failed now')
    .action(
      async (id: string, flags: { leaseToken: string; error: string; retry: boolean }, cmd: Command) => {
        const answer = await withQueue(globalOptions(cmd), (q) =>
          q.service.fail({
            jobId: id,
            leaseToken: flags.leaseToken,
            error: flags.error,
            retryable: flags.retry,
          }),
        );
        printJson(answer);
      },
    );
}
