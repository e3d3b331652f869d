import type { Command } from 'commander';
import { defineCommand, intArg, listArg, numberArg } from './args.js';
import {
  globalOptions,
  INTERRUPTED_EXIT_CODE,
  interruptSignal,
  printJson,
  scope,
  withQueue,
} from './context.js';
import { addSettingFlags } from './setting-flags.js';

interface ClaimFlags {
  workerId: string;
  types?: string[];
  capabilities?: string[];
  lease?: number;
  wait?: number;
}

export function registerClaim(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'claim',
      'Claim the next matching job (prints JSON with lease, system and action).',
    ),
    { command: 'claim' },
  )
    .requiredOption('--worker-id <id>', 'a stable name for this worker')
    .option('--types <list>', 'only claim jobs of these comma-separated types', listArg)
    .option('--capabilities <list>', 'comma-separated capabilities this worker has', listArg)
    .option(
      '--lease <seconds>',
      'how long the job stays yours without a heartbeat (default 600, env AGENT_QUEUE_LEASE_SECONDS)',
      intArg,
    )
    .option('--wait <seconds>', 'long-poll up to this many seconds (at most 50) for a job', numberArg)
    .action(async (flags: ClaimFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      // Ctrl-C ends a long-poll early with `job: null` (exit 130) instead of killing the process mid-claim.
      const stop = interruptSignal();
      try {
        const answer = await withQueue(g, (q) =>
          q.service.claim(
            {
              workerId: flags.workerId,
              ...scope(g),
              ...(flags.types ? { types: flags.types } : {}),
              ...(flags.capabilities ? { capabilities: flags.capabilities } : {}),
              ...(flags.lease !== undefined ? { leaseSeconds: flags.lease } : {}),
              ...(flags.wait !== undefined ? { waitSeconds: flags.wait } : {}),
            },
            { signal: stop.signal },
          ),
        );
        printJson(answer);
        // A script looping on claim must see that it was interrupted, not just an empty answer.
        if (stop.signal.aborted && !answer.job) process.exitCode = INTERRUPTED_EXIT_CODE;
      } finally {
        stop.dispose();
      }
    });
}
