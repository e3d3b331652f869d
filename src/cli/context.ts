// What every CLI command shares: global options, opening the queue, printing answers and errors.
import type { Command } from 'commander';
import { isQueueError, withHint, type ErrorHint } from '../core/errors.js';
import { openQueue, type OpenQueue } from '../open.js';
import type { Settings } from '../settings/types.js';
import { settingsFor } from './setting-flags.js';

export interface GlobalOptions {
  json?: boolean | undefined;
  /** This command's settings, read (and checked) on first use. */
  settings(): Settings;
}

export function globalOptions(cmd: Command): GlobalOptions {
  let settings: Settings | undefined;
  return {
    json: cmd.optsWithGlobals<{ json?: boolean }>().json,
    settings: () => (settings ??= settingsFor(cmd)),
  };
}

/** `{ queue }` when the command runs scoped to a named queue (--queue, AGENT_QUEUE_QUEUE), else nothing. */
export function scope(opts: GlobalOptions): { queue?: string } {
  const queue = opts.settings().scope.queue;
  return queue === undefined ? {} : { queue };
}

/** Opens the queue, runs fn, always closes. */
export async function withQueue<T>(opts: GlobalOptions, fn: (q: OpenQueue) => Promise<T>): Promise<T> {
  const q = await openQueue(opts.settings());
  try {
    return await fn(q);
  } finally {
    await q.close();
  }
}

/** Prints `value` as JSON with --json, else the human rendering. */
export function output(opts: Pick<GlobalOptions, 'json'>, value: unknown, human: () => string): void {
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

// What fixes an error, said in this surface's words (the queue's messages name no surface).
const HINTS: Partial<Record<ErrorHint, string>> = {
  list_jobs: '`agent-queue list` shows the ids of recent jobs.',
  force_resume: 'On the command line: agent-queue resume --force.',
};

/** Exit codes: 1 for a queue error (stable code printed), 2 for a bad command line, 3 unavailable. */
export function reportError(err: unknown): number {
  if (isQueueError(err)) {
    process.stderr.write(`error [${err.code}]: ${withHint(err, HINTS)}\n`);
    return err.code === 'unavailable' ? 3 : 1;
  }
  const e = err as { code?: string; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) return 2;
  process.stderr.write(`error: ${e.message ?? String(err)}\n`);
  return 1;
}
