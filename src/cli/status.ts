import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { StatusAnswer } from '../core/types.js';
import { defineCommand, intArg, positiveArg } from './args.js';
import {
  globalOptions,
  INTERRUPTED_EXIT_CODE,
  interruptSignal,
  output,
  scope,
  withQueue,
  type GlobalOptions,
} from './context.js';
import { statusView } from './render.js';
import { addSettingFlags } from './setting-flags.js';

const DEFAULT_INTERVAL_SECONDS = 2;

interface StatusFlags {
  watch?: boolean;
  interval?: number;
  audit?: number;
}

export function registerStatus(program: Command): void {
  addSettingFlags(
    defineCommand(
      program,
      'status',
      "Show the fleet pause state, job counters and the latest pause/resume audit (with --queue: that queue's counts and both pauses).",
    ),
    { command: 'status' },
  )
    .option('--watch', 'redraw until no job is running (isDrained), then exit 0; Ctrl-C stops')
    .option(
      '--interval <seconds>',
      `seconds between redraws with --watch (default ${DEFAULT_INTERVAL_SECONDS})`,
      positiveArg,
    )
    .option('--audit <n>', 'how many recent audit entries to show (default 10)', intArg)
    .action(async (flags: StatusFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const input = { ...(flags.audit !== undefined ? { audit: flags.audit } : {}), ...scope(g) };
      if (flags.watch) {
        await watch(g, input, flags.interval ?? DEFAULT_INTERVAL_SECONDS);
        return;
      }
      const answer = await withQueue(g, (q) => q.service.control.status(input));
      output(g, answer, () => statusView(answer));
    });
}

/**
 * Redraws the status until the fleet is drained. On a terminal the screen is redrawn every tick;
 * into a pipe a frame is printed only when it changed (with --json: one compact JSON line each).
 */
async function watch(
  g: GlobalOptions,
  input: { audit?: number; queue?: string },
  intervalSeconds: number,
): Promise<void> {
  const stop = interruptSignal();
  const tty = !g.json && process.stdout.isTTY === true;
  let last = '';
  let drained = false;
  try {
    await withQueue(g, async (q) => {
      while (!stop.signal.aborted) {
        const answer: StatusAnswer = await q.service.control.status(input);
        const frame = g.json ? JSON.stringify(answer) : statusView(answer);
        if (tty) {
          process.stdout.write(
            `\x1b[H\x1b[2J${frame}\n\nevery ${intervalSeconds}s until drained; Ctrl-C stops\n`,
          );
        } else if (frame !== last) {
          process.stdout.write(g.json ? `${frame}\n` : `${frame}\n\n`);
        }
        last = frame;
        if (answer.metrics.isDrained) {
          drained = true;
          if (!g.json) process.stdout.write('drained: no jobs are running\n');
          return;
        }
        await sleep(intervalSeconds * 1000, undefined, { signal: stop.signal }).catch(() => {});
      }
    });
  } finally {
    stop.dispose();
  }
  if (!drained) process.exitCode = INTERRUPTED_EXIT_CODE;
}
