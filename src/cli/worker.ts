// `agent-queue worker -- <command> [args…]`: the unattended worker (SPEC §13). It claims jobs and
// runs the command once per job as a child process (src/worker does the running); this file only
// wires settings, the queue (the database, or a remote serve: worker-queue.ts) and the process's
// own signals. Stdout stays empty: every line it writes goes to stderr.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { createLogger, type Logger } from '../log.js';
import { killAllChildGroups } from '../worker/child.js';
import { createRedactor } from '../worker/output.js';
import { startWorker } from '../worker/worker.js';
import type { RunningWorker, WorkerSummary } from '../worker/types.js';
import { globalOptions, INTERRUPTED_EXIT_CODE } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { openWorkerQueue } from './worker-queue.js';

interface WorkerFlags {
  quiesceSignal?: boolean;
  allowSteps?: boolean;
  once?: boolean;
}

// After the worker stopped and the database closed, the process should end by itself at once.
const FORCE_EXIT_MS = 2_000;

const USAGE = 'missing the command to run: agent-queue worker [options] -- <command> [args…]';

const BOTH_QUEUES =
  'error: --server (AGENT_QUEUE_SERVER) and --database-url (DATABASE_URL) name two queues: drop --database-url / unset DATABASE_URL to work through the server, or drop --server / unset AGENT_QUEUE_SERVER to use the database directly.';

/** `<host>-worker-<6 hex>`: unique per process, readable in `status` and the timeline. */
export const defaultWorkerId = (): string => `${hostname()}-worker-${randomBytes(3).toString('hex')}`;

export function registerWorker(program: Command): void {
  addSettingFlags(
    program
      .command('worker')
      .description(
        'Claim jobs and run <command> once per job as a child process (no shell); {{payload.a.b}} in an argument is replaced by that payload value.',
      )
      .usage('[options] -- <command> [args…]')
      .argument('[command...]', 'the program to run for each job and its arguments, after --')
      .option(
        '--quiesce-signal',
        'on pause (quiesce), SIGSTOP running jobs at once and SIGCONT them on resume',
      )
      .option('--allow-steps', 'run payload steps (commands chosen by whoever enqueues); off by default')
      .option('--once', 'run the jobs claimable now, then exit 0 (CI, cron)')
      .showHelpAfterError(false),
    { command: 'worker' },
  ).action(async (command: string[], flags: WorkerFlags, cmd: Command) => {
    if (command.length === 0 && !flags.allowSteps) cmd.error(USAGE, { exitCode: 2, code: 'commander.usage' });
    const settings = globalOptions(cmd).settings();
    // Two answers to "where is the queue": refused rather than silently picking one.
    if (settings.remote.server !== undefined && databaseUrlGiven(cmd))
      cmd.error(BOTH_QUEUES, { exitCode: 2, code: 'commander.usage' });
    const log = createLogger(settings.log.level);
    const { worker: who, runtime } = settings;
    // Not lazy: a worker that cannot reach its database or server says why and exits 3 (unavailable).
    const queue = await openWorkerQueue(settings, {
      workerId: who.id ?? defaultWorkerId(),
      log,
    });
    const { workerId } = queue;
    if (who.id !== undefined && who.id !== workerId)
      log.warn(
        { workerId, given: who.id },
        'the server records this worker under its token name, not --worker-id',
      );
    log.info(
      {
        workerId,
        ...queue.where,
        queue: settings.scope.queue ?? 'default',
        types: who.types ?? 'any',
        capabilities: who.capabilities,
        concurrency: runtime.concurrency,
        // The command as given may carry a secret the environment also holds (a token argument).
        command: command.map(createRedactor(process.env)),
      },
      `worker ${workerId} starting`,
    );
    let worker: RunningWorker;
    try {
      worker = startWorker(queue.port, {
        command,
        workerId,
        queue: settings.scope.queue,
        types: who.types,
        capabilities: who.capabilities,
        concurrency: runtime.concurrency,
        leaseSeconds: runtime.leaseSeconds,
        cancelGraceSeconds: runtime.cancelGraceSeconds,
        noRetryExitCodes: runtime.noRetryExitCodes,
        quiesceSignal: flags.quiesceSignal === true,
        allowSteps: flags.allowSteps === true,
        once: flags.once === true,
        push: true,
        shutdownGraceSeconds: runtime.shutdownGraceSeconds,
        env: process.env,
        log,
      });
    } catch (err) {
      await queue.close();
      throw err;
    }
    const killed = handleSignals(worker, log, runtime.shutdownGraceSeconds);
    let summary: WorkerSummary | undefined;
    try {
      summary = await worker.done;
    } finally {
      killed.dispose();
      await queue.close();
    }
    log.info({ workerId, ...summary }, `worker ${workerId} stopped`);
    if (killed.wasKilled()) process.exitCode = INTERRUPTED_EXIT_CODE;
    // Everything is closed; a handle left open by mistake must not keep a cron job's process alive.
    setTimeout(() => {
      log.warn('something kept the process alive after the worker stopped; exiting');
      process.exit();
    }, FORCE_EXIT_MS).unref();
  });
}

/** --database-url or DATABASE_URL named a database (blank counts as unset, as in the settings). */
function databaseUrlGiven(cmd: Command): boolean {
  const flag = cmd.optsWithGlobals<{ databaseUrl?: string }>().databaseUrl;
  return [flag, process.env.DATABASE_URL].some((v) => v !== undefined && v.trim() !== '');
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * First SIGINT/SIGTERM/SIGHUP (a closed terminal or SSH session is a stop too): stop claiming and
 * let running jobs finish within the grace; second: kill them and fail their jobs; third: SIGKILL
 * every child group and exit 130 at once, whatever is still pending.
 */
function handleSignals(
  worker: RunningWorker,
  log: Logger,
  graceSeconds: number,
): { dispose(): void; wasKilled(): boolean } {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.info({ signal, graceSeconds }, 'stopping: no more claims, running jobs may finish (again: kill)');
      worker.shutdown(graceSeconds * 1000).catch((err: unknown) => log.error({ err }, 'shutdown failed'));
    } else if (signals === 2) {
      log.warn({ signal }, 'killing running jobs (again: exit at once)');
      worker.kill().catch((err: unknown) => log.error({ err }, 'kill failed'));
    } else {
      log.error({ signal }, 'exiting at once: running jobs killed, their jobs left to lease expiry');
      killAllChildGroups();
      process.exit(INTERRUPTED_EXIT_CODE);
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
    wasKilled: () => signals >= 2,
  };
}
