// The child runner over real processes: exit codes, tails, stdin, argv without a shell, the process
// group (terminate reaches the grandchild, SIGKILL after the grace), suspend/resume, start errors.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DRAIN_MS, ESCAPED_NOTE, spawnChild } from '../../src/worker/child.js';
import { fillPlaceholders } from '../../src/worker/placeholders.js';
import type { ChildHandle, ChildSpec } from '../../src/worker/types.js';
import { makeTempDir } from '../helpers/tmp.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/worker/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

const started: ChildHandle[] = [];
/** Processes a test started outside any job's group: killed after it. */
const strays: number[] = [];
afterEach(async () => {
  for (const pid of strays.splice(0)) killPid(pid);
  for (const c of started.splice(0)) {
    c.kill();
    // Should the group be broken, the leader at least goes; a test must never leave it behind.
    if (c.pid !== undefined) killPid(c.pid);
    await c.exited;
  }
});

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The promise's value, or a failure once `ms` passed without one. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

interface Run {
  child: ChildHandle;
  lines: { stream: 'stdout' | 'stderr'; line: string }[];
  /** Resolves with the first stdout line matching. */
  line(match: (line: string) => boolean): Promise<string>;
}

function run(argv: string[], extra: Partial<ChildSpec> = {}): Run {
  const lines: Run['lines'] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const child = spawnChild({
    argv,
    env: { PATH: process.env.PATH ?? '' },
    stdin: '{}',
    ...extra,
    onLine: (stream, line) => {
      lines.push({ stream, line });
      if (stream !== 'stdout') return;
      for (const w of waiters.splice(0)) {
        if (w.match(line)) w.resolve(line);
        else waiters.push(w);
      }
    },
  });
  started.push(child);
  const line = (match: (l: string) => boolean) => {
    const seen = lines.find((l) => l.stream === 'stdout' && match(l.line));
    if (seen) return Promise.resolve(seen.line);
    return new Promise<string>((resolve) => waiters.push({ match, resolve }));
  };
  return { child, lines, line };
}

/** Dead: no such process, or a zombie waiting for its reaper. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw err;
  }
  return procState(pid) === 'Z';
}

function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

async function until(what: string, check: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('spawnChild', () => {
  it('exit 0: stdout tail and the last stdout line', async () => {
    const { child } = run([fixture('print-json.mjs'), 'x']);
    const exit = await child.exited;
    expect(exit.exitCode).toBe(0);
    expect(exit.signal).toBeNull();
    expect(exit.startError).toBeUndefined();
    expect(exit.stdoutTail).toBe('starting\nworking\n{"ok":true,"answer":42,"args":["x"]}\n');
    expect(JSON.parse(exit.lastStdoutLine!)).toEqual({ ok: true, answer: 42, args: ['x'] });
  });

  it('a non-zero exit code with its stderr tail, streamed as stderr lines', async () => {
    const r = run([fixture('exit.mjs'), '3']);
    const exit = await r.child.exited;
    expect(exit.exitCode).toBe(3);
    expect(exit.stderrTail).toBe('exiting with 3\n');
    expect(exit.lastStdoutLine).toBeNull();
    expect(r.lines).toEqual([{ stream: 'stderr', line: 'exiting with 3' }]);
  });

  it('writes the payload to stdin and closes it', async () => {
    const payload = JSON.stringify({ a: 1, text: 'é ü 😀', nested: { b: [1, 2] } });
    const exit = await run([fixture('read-stdin.mjs')], { stdin: payload }).child.exited;
    expect(exit.exitCode).toBe(0);
    expect(JSON.parse(exit.lastStdoutLine!)).toEqual({ stdin: JSON.parse(payload) });
  });

  it('a child that never reads a large stdin still exits cleanly', async () => {
    const exit = await run([fixture('exit.mjs'), '0'], { stdin: 'x'.repeat(1 << 20) }).child.exited;
    expect(exit.exitCode).toBe(0);
    expect(exit.startError).toBeUndefined();
  });

  it('passes the environment it is given and nothing else', async () => {
    const env = { PATH: process.env.PATH ?? '', AGENT_QUEUE_JOB_ID: 'j1', AGENT_QUEUE_ATTEMPT: '2' };
    const exit = await run([fixture('env.mjs')], { env }).child.exited;
    expect(JSON.parse(exit.lastStdoutLine!)).toEqual({ AGENT_QUEUE_JOB_ID: 'j1', AGENT_QUEUE_ATTEMPT: '2' });
  });

  it('shell syntax in a payload value stays one literal argument (no shell runs)', async () => {
    const dir = makeTempDir('child-argv');
    try {
      const marker = join(dir.path, 'x');
      const payload = {
        cmd: `$(touch ${marker})`,
        also: `; touch ${marker}`,
        quote: `a b 'c' "d" \`touch ${marker}\``,
      };
      const argv = fillPlaceholders(
        [fixture('argv.mjs'), '{{payload.cmd}}', 'pre-{{payload.also}}', '{{payload.quote}}', '*'],
        payload,
      );
      const exit = await run(argv).child.exited;
      expect(exit.exitCode).toBe(0);
      expect(JSON.parse(exit.lastStdoutLine!)).toEqual([
        payload.cmd,
        `pre-${payload.also}`,
        payload.quote,
        '*',
      ]);
      expect(existsSync(marker)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it('a missing program ends with startError, not a rejection', async () => {
    const { child } = run(['/nonexistent/agent-queue-no-such-program', 'a']);
    expect(child.pid).toBeUndefined();
    const exit = await child.exited;
    expect(exit.startError).toMatch(/ENOENT/);
    expect(exit.exitCode).toBeNull();
    expect(exit.signal).toBeNull();
    // Signals to a child that never started are no-ops.
    child.kill();
    child.suspend();
    child.resume();
    await expect(child.terminate(10)).resolves.toBe(exit);
  });

  it('a file that is not executable ends with startError', async () => {
    const exit = await run([join(FIXTURES, '..', 'drain.mjs')]).child.exited;
    expect(exit.startError).toMatch(/EACCES/);
  });

  it('terminate ends the child and its grandchild within grace + 1 s', async () => {
    const grace = 1_000;
    const r = run([fixture('grandchild.mjs')]);
    const pids = JSON.parse(await r.line((l) => l.startsWith('{'))) as { child: number; grandchild: number };
    await r.line((l) => l === 'ready');
    expect(pids.child).toBe(r.child.pid);
    expect(gone(pids.grandchild)).toBe(false);
    const t0 = Date.now();
    const exit = await within(grace + 1_000, 'terminate', r.child.terminate(grace));
    await until('the grandchild to die', () => gone(pids.grandchild), grace + 1_000 - (Date.now() - t0));
    expect(Date.now() - t0).toBeLessThan(grace + 1_000);
    expect(gone(pids.child)).toBe(true);
    expect(exit.signal).toBe('SIGTERM');
  });

  it('a child ignoring SIGTERM is SIGKILLed after the grace period', async () => {
    const grace = 700;
    const r = run([fixture('ignore-term.mjs')]);
    await r.line((l) => l === 'ready');
    const t0 = Date.now();
    const exit = await within(grace + 1_000, 'terminate', r.child.terminate(grace));
    const took = Date.now() - t0;
    expect(exit.signal).toBe('SIGKILL');
    expect(took).toBeGreaterThanOrEqual(grace - 50);
    expect(took).toBeLessThan(grace + 1_000);
    expect(exit.stderrTail).toContain('SIGTERM ignored');
  });

  it('a leader and grandchild both ignoring SIGTERM are SIGKILLed together after the grace', async () => {
    const grace = 500;
    const r = run([fixture('grandchild.mjs'), 'ignore-term']);
    const pids = JSON.parse(await r.line((l) => l.startsWith('{'))) as { child: number; grandchild: number };
    await r.line((l) => l === 'ready');
    const t0 = Date.now();
    const exit = await within(grace + 1_000, 'terminate', r.child.terminate(grace));
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(grace - 50);
    await until('the grandchild to die', () => gone(pids.grandchild), grace + 1_000 - (Date.now() - t0));
  });

  it('kill() ends the whole group at once', async () => {
    const r = run([fixture('grandchild.mjs')]);
    const pids = JSON.parse(await r.line((l) => l.startsWith('{'))) as { child: number; grandchild: number };
    r.child.kill();
    const exit = await within(1_000, 'kill', r.child.exited);
    expect(exit.signal).toBe('SIGKILL');
    await until('the grandchild to die', () => gone(pids.grandchild), 1_000);
  });

  it('a grandchild does not outlive a leader that exits by itself', async () => {
    const dir = makeTempDir('child-orphan');
    try {
      // The leader starts a sleeping grandchild, prints its pid and exits 0.
      const script = [
        "const { spawn } = require('node:child_process');",
        "const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });",
        'console.log(g.pid); process.exit(0);',
      ].join('\n');
      const exit = await run([process.execPath, '-e', script]).child.exited;
      expect(exit.exitCode).toBe(0);
      const grandchild = Number(exit.lastStdoutLine);
      await until('the orphaned grandchild to die', () => gone(grandchild), 1_000);
    } finally {
      dir.remove();
    }
  });

  it('suspend stops the group (state T, no output) and resume continues it', async () => {
    const script = [
      "let n = 0; console.log('ready');",
      'setInterval(() => console.log(`tick ${++n}`), 20);',
    ].join('\n');
    const r = run([process.execPath, '-e', script]);
    await r.line((l) => l === 'tick 2');
    const pid = r.child.pid!;
    r.child.suspend();
    await until('the child to stop', () => procState(pid) === 'T', 1_000);
    // Lines written just before the stop may still be in the pipe: let them arrive, then nothing may.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = r.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.lines.length).toBe(count);
    expect(procState(pid)).toBe('T');
    const before = r.lines.length;
    r.child.resume();
    await r.line((l) => l === `tick ${before + 2}`);
    expect(procState(pid)).not.toBe('T');
  });

  it('terminate reaches a suspended child', async () => {
    const r = run([fixture('sleep-forever.mjs')]);
    await r.line((l) => l === 'ready');
    r.child.suspend();
    await until('the child to stop', () => procState(r.child.pid!) === 'T', 1_000);
    const t0 = Date.now();
    const exit = await within(2_000, 'terminate', r.child.terminate(5_000));
    expect(exit.signal).toBe('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('streams every line, cuts long ones and keeps only the tail', async () => {
    const long = 'y'.repeat(5_000);
    const script = `for (let i = 1; i <= 2000; i++) console.log('line ' + i); console.log('${long}'); process.stdout.write('no newline');`;
    const r = run([process.execPath, '-e', script]);
    const exit = await r.child.exited;
    const out = r.lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(out).toHaveLength(2002);
    expect(out[0]).toBe('line 1');
    expect(out[2000]).toBe(`${'y'.repeat(2_000)}…`);
    expect(out[2001]).toBe('no newline');
    expect(exit.lastStdoutLine).toBe('no newline');
    expect(exit.stdoutTail.length).toBeLessThanOrEqual(4_000);
    expect(exit.stdoutTail.endsWith(`${long.slice(-100)}\nno newline`)).toBe(true);
  });

  it('the last stdout line is kept whole even when longer than a timeline line', async () => {
    const big = { data: 'z'.repeat(10_000) };
    const script = `console.log('x'); console.log(JSON.stringify(${JSON.stringify(big)})); console.log('');`;
    const exit = await run([process.execPath, '-e', script]).child.exited;
    expect(JSON.parse(exit.lastStdoutLine!)).toEqual(big);
  });

  it('a process that left the group (setsid) holding the output does not hold the job', async () => {
    const r = run([fixture('escape.mjs')]);
    const { escaped } = JSON.parse(await r.line((l) => l.startsWith('{'))) as { escaped: number };
    strays.push(escaped);
    const exit = await within(DRAIN_MS + 1_500, 'exited', r.child.exited);
    expect(exit.exitCode).toBe(0);
    expect(exit.lastStdoutLine).toBe(JSON.stringify({ escaped }));
    // It still runs (it is no longer the job's), but the job ended and says why its output stopped.
    expect(gone(escaped)).toBe(false);
    expect(r.lines).toContainEqual({ stream: 'stderr', line: ESCAPED_NOTE });
  });

  it('terminate ends the job although a process that left the group holds the output', async () => {
    const r = run([fixture('escape.mjs'), 'stay']);
    const { escaped } = JSON.parse(await r.line((l) => l.startsWith('{'))) as { escaped: number };
    strays.push(escaped);
    await r.line((l) => l === 'ready');
    const exit = await within(200 + DRAIN_MS + 1_500, 'terminate', r.child.terminate(200));
    expect(exit.signal).toBe('SIGTERM');
    expect(gone(r.child.pid!)).toBe(true);
  });

  it('output written before the leader exits is read whole when nothing holds the pipes', async () => {
    const r = run([process.execPath, '-e', "process.stdout.write('a\\n'.repeat(50_000)); process.exit(0)"]);
    const exit = await r.child.exited;
    expect(r.lines.filter((l) => l.stream === 'stdout')).toHaveLength(50_000);
    expect(r.lines.some((l) => l.line === ESCAPED_NOTE)).toBe(false);
    expect(exit.exitCode).toBe(0);
  });
});

// Needs `npm run build`: the fixture is a separate Node process using the built child runner.
describe('the worker process dies: its children die with it', () => {
  it.each([
    ['process.exit', 'exit', 'running'],
    ['an uncaught exception', 'throw', 'running'],
    ['process.exit', 'exit', 'stopped'],
  ])('%s kills every live child group (%s, child %s)', async (_what, how, state) => {
    const r = spawnSync(process.execPath, [fixture('exit-hook.mjs'), how, state], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    const pids = JSON.parse(r.stdout.trim()) as { child: number; grandchild: number };
    strays.push(pids.child, pids.grandchild);
    expect(r.status, r.stderr).toBe(how === 'throw' ? 1 : 3);
    await until(
      'the child and its grandchild to die',
      () => gone(pids.child) && gone(pids.grandchild),
      2_000,
    );
  });
});
