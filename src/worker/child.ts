// One job's child process (SPEC §13): started without a shell as the leader of its own process
// group, so every signal reaches the whole group (grandchildren too), and nothing of the group
// outlives the leader: once it exits, what is left is SIGKILLed. A process that left the group
// (setsid) but keeps the pipes open holds nothing: the output gets DRAIN_MS more, then is cut off.
// Every live group is in a registry, SIGKILLed when the worker process itself exits.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { LineSplitter, Tail } from './output.js';
import type { ChildExit, ChildHandle, ChildSpec } from './types.js';

/** After the leader exited, how long output may still arrive from what holds the pipes. */
export const DRAIN_MS = 1_000;

/** The process groups (by leader pid) of the children whose leader has not exited yet. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** SIGCONTs then SIGKILLs every live child group, synchronously (safe in a process 'exit' hook). */
export function killAllChildGroups(): void {
  for (const pid of liveGroups) {
    signalGroup(pid, 'SIGCONT');
    signalGroup(pid, 'SIGKILL');
  }
  liveGroups.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever ends the worker (process.exit, an uncaught exception), its children end with it.
  process.on('exit', killAllChildGroups);
}

/** Sends a signal to the process group led by pid; a group already gone is not an error. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group is gone; EPERM: its id now belongs to someone else's processes.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw err;
  }
}

interface StreamReader {
  tail: Tail;
  splitter: LineSplitter;
  /** Resolves when the stream ended or failed. */
  done: Promise<void>;
  /** Stops reading: what was read so far still counts. */
  destroy(): void;
}

function readStream(
  stream: Readable | null,
  onLine: (line: string) => void,
  redact: (text: string) => string,
): StreamReader {
  const tail = new Tail();
  // The tail is built from whole lines already redacted: a cut can never leave part of a secret.
  const splitter = new LineSplitter(onLine, undefined, redact, (line, newline) =>
    tail.push(newline ? `${line}\n` : line),
  );
  if (!stream) return { tail, splitter, done: Promise.resolve(), destroy() {} };
  const decoder = new StringDecoder('utf8');
  const take = (text: string) => {
    if (text) splitter.push(text);
  };
  const done = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
    stream.once('error', () => resolve());
    stream.once('close', () => resolve());
    stream.once('end', () => resolve());
  }).then(() => {
    take(decoder.end());
    splitter.end();
  });
  return { tail, splitter, done, destroy: () => stream.destroy() };
}

/** Written to the job's stderr lines when the output had to be cut off after the leader exited. */
export const ESCAPED_NOTE =
  "[agent-queue: a process left the job's process group and kept its output open; output cut off 1 s after the command exited]";

export function spawnChild(spec: ChildSpec): ChildHandle {
  const [file, ...args] = spec.argv;
  if (file === undefined || file === '') throw new Error('spawnChild: empty argv');
  const onLine = spec.onLine ?? (() => {});
  const redact = spec.redact ?? ((text: string) => text);

  const sub = execa(file, args, {
    env: spec.env,
    extendEnv: false,
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    detached: true,
    shell: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
    forceKillAfterDelay: false,
    stripFinalNewline: false,
  });
  const pid = sub.pid;
  if (pid !== undefined) {
    installExitHook();
    liveGroups.add(pid);
  }

  const out = readStream(sub.stdout, (line) => onLine('stdout', line), redact);
  const err = readStream(sub.stderr, (line) => onLine('stderr', line), redact);

  // The payload goes in and stdin closes; a child that exits without reading it is no error.
  if (sub.stdin) {
    sub.stdin.on('error', () => {});
    sub.stdin.end(spec.stdin);
  }

  let leaderGone = pid === undefined;
  let killTimer: ReturnType<typeof setTimeout> | null = null;
  let drainTimer: ReturnType<typeof setTimeout> | null = null;
  const leaderExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    sub.once('exit', (code, signal) => {
      leaderGone = true;
      if (pid !== undefined) liveGroups.delete(pid);
      // Nothing of the job may outlive it: what is left of the group goes now.
      signalGroup(pid, 'SIGKILL');
      resolve({ code, signal });
    });
  });
  // Settled from the leader's exit and the streams, never from execa's own promise (which waits
  // for the pipes to close): a process that left the group may hold them for its whole life.
  const settled = sub.then(
    (result) => result,
    (err: unknown) => err as Awaited<typeof sub>,
  );

  const exited: Promise<ChildExit> = (async () => {
    if (pid === undefined) {
      const result = await settled;
      await Promise.all([out.done, err.done]);
      return {
        exitCode: null,
        signal: null,
        stdoutTail: out.tail.text(),
        stderrTail: err.tail.text(),
        lastStdoutLine: out.splitter.last,
        startError: result.originalMessage || result.shortMessage || 'the command could not be started',
      };
    }
    const { code, signal } = await leaderExit;
    if (killTimer) clearTimeout(killTimer);
    const streams = Promise.all([out.done, err.done]).then(() => true);
    const drained = await Promise.race([
      streams,
      new Promise<false>((resolve) => {
        drainTimer = setTimeout(() => resolve(false), DRAIN_MS);
      }),
    ]);
    if (drainTimer) clearTimeout(drainTimer);
    if (!drained) {
      // A process that left the job's process group (setsid) still holds the output pipes.
      out.destroy();
      err.destroy();
      sub.stdin?.destroy();
      await streams;
      onLine('stderr', ESCAPED_NOTE);
    }
    return {
      exitCode: code,
      signal,
      stdoutTail: out.tail.text(),
      stderrTail: err.tail.text(),
      lastStdoutLine: out.splitter.last,
    };
  })();

  return {
    pid,
    exited,
    terminate(graceMs: number): Promise<ChildExit> {
      if (!leaderGone) {
        signalGroup(pid, 'SIGTERM');
        // A stopped group (quiesce) would hold the SIGTERM until continued.
        signalGroup(pid, 'SIGCONT');
        killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), Math.max(0, graceMs));
      }
      return exited;
    },
    kill(): void {
      if (!leaderGone) signalGroup(pid, 'SIGKILL');
    },
    suspend(): void {
      if (!leaderGone) signalGroup(pid, 'SIGSTOP');
    },
    resume(): void {
      if (!leaderGone) signalGroup(pid, 'SIGCONT');
    },
  };
}
