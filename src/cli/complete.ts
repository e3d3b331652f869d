import type { Command } from 'commander';
import { defineCommand } from './args.js';
import { globalOptions, printJson, withQueue } from './context.js';
import { jsonInputArg, readJsonInput, type JsonInput } from './json-input.js';

export function registerComplete(program: Command): void {
  defineCommand(program, 'complete <id>', 'Mark a job you hold as succeeded (prints JSON).')
    .requiredOption('--lease-token <token>', 'lease.token from the claim answer')
    .option('--result <json>', 'any JSON result; @file reads a file, - reads stdin', jsonInputArg)
    .option('--summary <text>', 'a short human-readable summary of the outcome')
    .action(
      async (
        id: string,
        flags: { leaseToken: string; result?: JsonInput; summary?: string },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const limit = g.settings().queue.payloadLimitBytes;
        const result = flags.result && (await readJsonInput(flags.result, '--result', limit));
        const answer = await withQueue(g, (q) =>
          q.service.complete({
            jobId: id,
            leaseToken: flags.leaseToken,
            ...(flags.result !== undefined ? { result } : {}),
            ...(flags.summary !== undefined ? { resultSummary: flags.summary } : {}),
          }),
        );
        printJson(answer);
      },
    );
}
