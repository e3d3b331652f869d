// Every command of the CLI, in --help order, each loaded only when it runs: a host starts
// `agent-queue mcp` cold on every session, and it must not pay for the worker runtime (execa),
// the HTTP stack or the other commands' modules.
import type { Command } from 'commander';

type Registrar = (program: Command, isDefault?: boolean) => void;

export const COMMANDS: Record<string, () => Promise<Registrar>> = {
  // servers: `mcp` (stdio) is the default command, what `npx agent-queue` runs
  mcp: async () => (await import('./mcp.js')).registerMcp,
  serve: async () => (await import('./serve.js')).registerServe,
  // the worker runtime: runs a command per job
  worker: async () => (await import('./worker.js')).registerWorker,
  // jobs
  enqueue: async () => (await import('./enqueue.js')).registerEnqueue,
  list: async () => (await import('./list.js')).registerList,
  get: async () => (await import('./get.js')).registerGet,
  wait: async () => (await import('./wait.js')).registerWait,
  events: async () => (await import('./events.js')).registerEvents,
  cancel: async () => (await import('./cancel.js')).registerCancel,
  retry: async () => (await import('./retry.js')).registerRetry,
  // fleet
  pause: async () => (await import('./pause.js')).registerPause,
  resume: async () => (await import('./resume.js')).registerResume,
  status: async () => (await import('./status.js')).registerStatus,
  limit: async () => (await import('./limit.js')).registerLimit,
  // worker protocol, for scripts and debugging
  claim: async () => (await import('./claim.js')).registerClaim,
  heartbeat: async () => (await import('./heartbeat.js')).registerHeartbeat,
  complete: async () => (await import('./complete.js')).registerComplete,
  fail: async () => (await import('./fail.js')).registerFail,
  'ack-cancel': async () => (await import('./ack-cancel.js')).registerAckCancel,
  held: async () => (await import('./held.js')).registerHeld,
  // maintenance
  migrate: async () => (await import('./migrate.js')).registerMigrate,
  prune: async () => (await import('./prune.js')).registerPrune,
  schedule: async () => (await import('./schedule.js')).registerSchedule,
  // access to serve
  token: async () => (await import('./token.js')).registerToken,
};

export type Dispatch =
  /** Run this one command (`mcp` also when no command is named). */
  | { kind: 'one'; name: string; isDefault: boolean }
  /** Help, --version, or a word that names no command: load all of them (help text, suggestions). */
  | { kind: 'all' };

/**
 * Which command argv runs, read the way commander reads it: global options (and their values)
 * may come first; the first other word is the command; an option the program does not know
 * before any word belongs to the default command (`agent-queue --tools worker`).
 */
export function dispatch(program: Command, argv: readonly string[]): Dispatch {
  const takesValue = new Map<string, boolean>();
  for (const option of program.options) {
    for (const flag of [option.short, option.long])
      if (flag) takesValue.set(flag, option.required || option.optional);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (['-h', '--help', '-V', '--version'].includes(arg)) return { kind: 'all' };
    // `--` ends the options, as commander reads it: nothing after it runs the default command
    // (`agent-queue --` starts the stdio server, as it always did); a word after it is the command.
    if (arg === '--') return i + 1 < argv.length ? command(argv[i + 1]!) : MCP_DEFAULT;
    if (arg.startsWith('-')) {
      const name = arg.split('=')[0]!;
      if (!takesValue.has(name)) return MCP_DEFAULT;
      if (takesValue.get(name) && !arg.includes('=')) i++;
      continue;
    }
    return command(arg);
  }
  return MCP_DEFAULT;
}

const MCP_DEFAULT: Dispatch = { kind: 'one', name: 'mcp', isDefault: true };

// A word that names no command loads them all, so commander can suggest the nearest one.
const command = (word: string): Dispatch =>
  Object.hasOwn(COMMANDS, word) ? { kind: 'one', name: word, isDefault: false } : { kind: 'all' };
