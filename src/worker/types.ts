// The worker runtime's seams (SPEC §13): a child process runner, the output it streams, and the
// worker loop over a WorkerPort. The loop decides nothing the queue decides: it claims, runs,
// heartbeats and reports, and obeys the `action` of every answer.
import type { Logger } from '../log.js';

/** How a child ended. `exited` never rejects: a command that cannot start ends with `startError`. */
export interface ChildExit {
  exitCode: number | null;
  /** The signal that ended it (e.g. 'SIGKILL'), or null. */
  signal: string | null;
  /** The last few KiB of stdout / stderr, cut at a line start, for resultSummary and the error. */
  stdoutTail: string;
  stderrTail: string;
  /** The last non-empty stdout line (a JSON object there becomes the job's `result`). */
  lastStdoutLine: string | null;
  /** The command could not be started (not found, not executable): the message. */
  startError?: string;
}

export interface ChildSpec {
  /** argv[0] is the program; no shell ever runs it. */
  argv: string[];
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  stdin: string;
  cwd?: string;
  /** Each complete output line, without its newline, as it arrives (long lines already cut). */
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
  /**
   * Applied to every line, tail and lastStdoutLine BEFORE they are cut, so a secret across a cut
   * is still hidden whole (redacting after the cut could let a secret's first characters through).
   */
  redact?(text: string): string;
}

/** A running child in its own process group: every signal goes to the whole group (grandchildren too). */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** SIGTERM to the group, SIGKILL after graceMs if anything of it is left; resolves once the child exited. */
  terminate(graceMs: number): Promise<ChildExit>;
  /** SIGKILL to the group now. */
  kill(): void;
  /** SIGSTOP / SIGCONT to the group (quiesce with --quiesce-signal). */
  suspend(): void;
  resume(): void;
  readonly exited: Promise<ChildExit>;
}

export interface WorkerOptions {
  /** The command after `--`; `{{payload.a.b}}` in an argument is replaced by that payload value. */
  command: string[];
  workerId: string;
  /** The named queue it claims from; undefined = `default`. */
  queue?: string | undefined;
  /** undefined = any type. */
  types?: string[] | undefined;
  capabilities: string[];
  /** Jobs run at once (default 1). */
  concurrency: number;
  /** Lease asked for at claim (SPEC §15: 120 s for the runtime); heartbeats every min(lease/3, 5 s). */
  leaseSeconds: number;
  /** After SIGTERM to a cancelled job's group, how long before SIGKILL (default 10 s). */
  cancelGraceSeconds: number;
  /** Exit codes that fail the job for good (not retryable). */
  noRetryExitCodes: number[];
  /** On quiesce, SIGSTOP the group at once (SIGCONT on continue) instead of waiting for a checkpoint. */
  quiesceSignal: boolean;
  /** Run payload `steps` (commands chosen by whoever enqueues). Off by default: it lets any producer run commands here. */
  allowSteps: boolean;
  /** Drain what is claimable now, then exit. */
  once: boolean;
  /** Push wake-ups (watchJob) for cancel and pause; false leaves only the heartbeat (measurements). */
  push: boolean;
  /** On the worker's own SIGINT/SIGTERM: how long running jobs may finish before they are failed retryable. */
  shutdownGraceSeconds: number;
  /** The environment children inherit (the worker's own); job variables are added to it. */
  env: Record<string, string | undefined>;
  log: Logger;
}

export interface WorkerSummary {
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Jobs given up because the lease was lost or the worker shut down. */
  abandoned: number;
}

export interface RunningWorker {
  /** Stops claiming; running jobs get `graceMs` (default shutdownGraceSeconds) to finish, then are failed retryable. */
  shutdown(graceMs?: number): Promise<WorkerSummary>;
  /** Second signal: kills every child at once and fails their jobs retryable. */
  kill(): Promise<WorkerSummary>;
  /** Resolves when the worker stopped: after shutdown/kill, or when --once found nothing more. */
  readonly done: Promise<WorkerSummary>;
}
