import type { Command } from 'commander';
import { defineCommand, intArg, numberArg } from './args.js';
import { globalOptions, interruptSignal, printJson, withQueue } from './context.js';

interface HeartbeatFlags {
  leaseToken: string;
  progress?: number;
  message?: string;
  lease?: number;
  wait?: number;
}

export function registerHeartbeat(program: Command): void {
  defineCommand(
    program,
    'heartbeat <id>',
    'Extend the lease of a job you hold (prints JSON with system and action).',
  )
    .requiredOption('--lease-token <token>', 'lease.token from the claim answer')
    .option('--progress <percent>', 'percent done, 0-100', numberArg)
    .option('--message <text>', 'what the worker is doing now (written to the timeline)')
    .option('--lease <seconds>', 'new lease length from now (default: the claimed one)', intArg)
    .option(
      '--wait <seconds>',
      'when the answer would be "pause", hold up to this many seconds (at most 50) until it changes',
      numberArg,
    )
    .action(async (id: string, flags: HeartbeatFlags, cmd: Command) => {
      // Ctrl-C ends a held heartbeat early with the last answer (the lease was extended by it).
      const stop = interruptSignal();
      try {
        const answer = await withQueue(globalOptions(cmd), (q) =>
          q.service.heartbeat(
            {
              jobId: id,
              leaseToken: flags.leaseToken,
              ...(flags.progress !== undefined ? { progress: flags.progress } : {}),
              ...(flags.message !== undefined ? { message: flags.message } : {}),
              ...(flags.lease !== undefined ? { leaseSeconds: flags.lease } : {}),
              ...(flags.wait !== undefined ? { waitSeconds: flags.wait } : {}),
            },
            { signal: stop.signal },
          ),
        );
        printJson(answer);
      } finally {
        stop.dispose();
      }
    });
}
