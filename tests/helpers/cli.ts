// Runs the built CLI (bin/agent-queue.js -> dist/) as a real subprocess, the way people and scripts do.
import { hostname, userInfo } from 'node:os';
import { execa } from 'execa';
import { assertBuilt, BIN, cliEnv } from './bin.js';

export { cliEnv };

assertBuilt();

/** Each CLI call is a fresh Node process (about a second on a busy machine): give tests room. */
export const CLI_TEST_TIMEOUT_MS = 90_000;

/** A call that should take a second must not hang the suite when it misbehaves. */
const CALL_TIMEOUT_MS = 20_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const spawnCli = (env: Record<string, string>, args: string[]) =>
  execa(process.execPath, [BIN, ...args], {
    env: cliEnv(env),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: CALL_TIMEOUT_MS,
  });

export async function runCli(env: Record<string, string>, args: string[]): Promise<CliResult> {
  const r = await spawnCli(env, args);
  if (r.timedOut) throw new Error(`agent-queue ${args.join(' ')} did not finish in ${CALL_TIMEOUT_MS} ms`);
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed and print JSON on stdout; returns the parsed answer. */
export async function cliJson<T = Record<string, unknown>>(
  env: Record<string, string>,
  args: string[],
): Promise<T> {
  const r = await runCli(env, args);
  if (r.code !== 0) throw new Error(`agent-queue ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  // The whole of stdout is the answer: JSON.parse fails on any stray line.
  return JSON.parse(r.stdout) as T;
}

/** A long-running CLI process (status --watch). Await `exited`; `stopStartedClis` in afterEach ends leftovers. */
export interface CliProcess {
  kill(signal: NodeJS.Signals): void;
  /** Resolves once stdout contains `text`; rejects if the process exits first. */
  waitForStdout(text: string): Promise<void>;
  exited: Promise<CliResult>;
}

const started = new Set<{ kill(): void; exited: Promise<unknown> }>();

export function startCli(env: Record<string, string>, args: string[]): CliProcess {
  const proc = spawnCli(env, args);
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = proc.then((r) => ({
    code: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
  }));
  const handle = { kill: () => proc.kill('SIGKILL'), exited };
  started.add(handle);
  void exited.then(() => started.delete(handle));
  return {
    kill: (signal) => proc.kill(signal),
    exited,
    waitForStdout(text) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!out.includes(text)) return;
          proc.stdout.off('data', check);
          resolve();
        };
        proc.stdout.on('data', check);
        check();
        void exited.then((r) =>
          reject(
            new Error(`exited ${r.code} before printing "${text}"; stdout: ${out}; stderr: ${r.stderr}`),
          ),
        );
      });
    },
  };
}

/** Kills CLI processes a failed test left running and waits for them to exit. */
export async function stopStartedClis(): Promise<void> {
  const left = [...started];
  for (const p of left) p.kill();
  await Promise.all(left.map((p) => p.exited));
}

/** The actor the CLI records by default (createdBy, requestedBy). */
export function expectedActor(): string {
  return `cli:${userInfo().username}@${hostname()}`;
}
