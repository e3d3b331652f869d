import type { Command } from 'commander';
import { defineCommand, jsonArg } from './args.js';
import { globalOptions, printJson, withQueue } from './context.js';

export function registerComplete(program: Command): void {
  defineCommand(program, 'complete <id>', 'Mark a job you hold as succeeded (prints JSON).')
    .requiredOption('--lease-token <token>', 'lease.token from the claim answer')
    .option('--result <json>', 'any JSON result; @file reads a file, - reads stdin', jsonArg)
    .option('--summary <text>', 'a short human-readable summary of the outcome')
    .action(
      async (id: string, flags: { leaseToken: string; result?: unknown; summary?: string }, cmd: Command) => {
        const answer = await withQueue(globalOptions(cmd), (q) =>
          q.service.complete({
            jobId: id,
            leaseToken: flags.leaseToken,
            ...(flags.result !== undefined ? { result: flags.result } : {}),
            ...(flags.summary !== undefined ? { resultSummary: flags.summary } : {}),
          }),
        );
        printJson(answer);
      },
    );
}
