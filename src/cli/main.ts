// agent-queue command line. Each command lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { reportError } from './context.js';
import { registerAckCancel } from './ack-cancel.js';
import { registerCancel } from './cancel.js';
import { registerClaim } from './claim.js';
import { registerComplete } from './complete.js';
import { registerEnqueue } from './enqueue.js';
import { registerEvents } from './events.js';
import { registerFail } from './fail.js';
import { registerGet } from './get.js';
import { registerHeartbeat } from './heartbeat.js';
import { registerHeld } from './held.js';
import { registerList } from './list.js';
import { registerMcp } from './mcp.js';
import { registerMigrate } from './migrate.js';
import { registerPause } from './pause.js';
import { registerPrune } from './prune.js';
import { registerResume } from './resume.js';
import { registerRetry } from './retry.js';
import { registerServe } from './serve.js';
import { registerStatus } from './status.js';
import { registerWorker } from './worker.js';
import { addSettingFlags } from './setting-flags.js';

const REGISTRARS: ((program: Command) => void)[] = [
  // servers: `mcp` (stdio) is the default command, what `npx agent-queue` runs
  registerMcp,
  registerServe,
  // the worker runtime: runs a command per job
  registerWorker,
  // jobs
  registerEnqueue,
  registerList,
  registerGet,
  registerEvents,
  registerCancel,
  registerRetry,
  // fleet
  registerPause,
  registerResume,
  registerStatus,
  // worker protocol, for scripts and debugging
  registerClaim,
  registerHeartbeat,
  registerComplete,
  registerFail,
  registerAckCancel,
  registerHeld,
  // maintenance
  registerMigrate,
  registerPrune,
];

export function buildProgram(): Command {
  const program = addSettingFlags(
    new Command('agent-queue').description(
      'A durable job queue whose workers are AI coding agents (MCP server, CLI, worker runtime).',
    ),
    { global: true },
  )
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride();
  for (const register of REGISTRARS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === 'commander.helpDisplayed'))
      return;
    process.exitCode = reportError(err);
  }
}
