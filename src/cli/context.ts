// What every CLI command shares: global options, opening the queue, printing answers and errors.
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { isQueueError } from '../queue/errors.js';
import { openQueue, type OpenQueue } from '../open.js';

export interface GlobalOptions {
  databaseUrl?: string;
  home?: string;
  json?: boolean;
}

export const globalOptions = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

export function configFrom(opts: GlobalOptions, extra: ConfigFlags = {}): Config {
  return loadConfig({ databaseUrl: opts.databaseUrl, home: opts.home, ...extra });
}

/** Opens the queue, runs fn, always closes. */
export async function withQueue<T>(opts: GlobalOptions, fn: (q: OpenQueue) => Promise<T>): Promise<T> {
  const q = await openQueue(configFrom(opts));
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

/** Prints `value` as JSON with --json, else the human rendering. */
export function output(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Prints JSON regardless of --json: the scripting commands (claim, heartbeat, …) answer programs. */
export function printJson(value: unknown): void {
  output({ json: true }, value, () => '');
}

/** Exit code after a SIGINT/SIGTERM stopped a command cleanly (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Aborts on the first SIGINT or SIGTERM instead of killing the process, so a command can close the database. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Exit codes: 1 for a queue error (stable code printed), 2 for a bad command line, 3 unavailable. */
export function reportError(err: unknown): number {
  if (isQueueError(err)) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    return err.code === 'unavailable' ? 3 : 1;
  }
  const e = err as { code?: string; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) return 2;
  process.stderr.write(`error: ${e.message ?? String(err)}\n`);
  return 1;
}
