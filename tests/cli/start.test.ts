// `npm start` and `agent-queue serve` as a person runs them: serve prints the dashboard's URL as
// the first line on stdout once it listens (the real port with --port 0; logs stay on stderr),
// and that URL answers the dashboard. `npm start` runs serve on the embedded SQLite default.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, cliEnv } from '../helpers/bin.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';

assertBuilt();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const URL_LINE = /^agent-queue dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/)$/;
const WITHIN_MS = 20_000;

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
}

function start(command: string, args: string[], env: Record<string, string>): Started {
  // Its own process group: npm runs serve under a shell that does not pass SIGTERM on, so stop()
  // signals the whole group and leaves no server behind.
  const child = spawn(command, args, { cwd: ROOT, env: cliEnv(env) as NodeJS.ProcessEnv, detached: true });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return { child, stdout: () => out, stderr: () => err };
}

/** The first stdout line matching `line`, waiting with a deadline (or failing on an early exit). */
async function lineOf(p: Started, line: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + WITHIN_MS;
  for (;;) {
    for (const l of p.stdout().split('\n').slice(0, -1)) {
      const m = line.exec(l);
      if (m) return m;
    }
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}; stderr: ${p.stderr()}`);
    if (Date.now() > deadline)
      throw new Error(`no line ${line} within ${WITHIN_MS} ms; stdout: ${p.stdout()}; stderr: ${p.stderr()}`);
    // The next chunk of output (or the exit, or the deadline): no polling interval to guess.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      once(p.child.stdout, 'data'),
      once(p.child, 'exit'),
      new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()) + 1))),
    ]);
    clearTimeout(timer);
  }
}

async function stop(p: Started): Promise<number | null> {
  if (p.child.exitCode !== null) return p.child.exitCode;
  const exited = once(p.child, 'exit');
  process.kill(-(p.child.pid as number), 'SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

async function expectDashboard(url: string): Promise<void> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await res.text()).toContain('<title>agent-queue</title>');
}

describe('the dashboard URL on stdout', () => {
  let home: TempDir;
  let running: Started[] = [];
  beforeEach(() => {
    home = makeTempDir('start');
  });
  afterEach(async () => {
    await Promise.all(running.map(stop));
    running = [];
    home.remove();
  });

  it(
    'serve --port 0 prints it first on stdout, with the real port, and it answers the page',
    { timeout: 60_000 },
    async () => {
      const p = start(process.execPath, [BIN, 'serve'], {
        AGENT_QUEUE_PORT: '0',
        AGENT_QUEUE_HOME: home.path,
      });
      running.push(p);
      const [, url, port] = await lineOf(p, URL_LINE);
      // The very first line, nothing before it; the logs went to stderr.
      expect(p.stdout().split('\n')[0]).toBe(`agent-queue dashboard: ${url}`);
      expect(Number(port)).toBeGreaterThan(0);
      await expectDashboard(url as string);
      expect(await stop(p)).toBe(0);
      running = [];
      expect(p.stdout().trim().split('\n')).toEqual([`agent-queue dashboard: ${url}`]);
      // The logs went to stderr (read after exit: the two streams arrive in no fixed order).
      expect(p.stderr()).toContain('"msg":"listening"');
    },
  );

  it('npm start serves on the embedded SQLite default and prints it', { timeout: 60_000 }, async () => {
    // npm prints its own "> agent-queue@… start" header first; serve's own first line is the URL.
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const p = start(npm, ['start'], { AGENT_QUEUE_PORT: '0', AGENT_QUEUE_HOME: home.path });
    running.push(p);
    const [, url] = await lineOf(p, URL_LINE);
    const lines = p.stdout().split('\n');
    const first = lines.findIndex((l) => !l.startsWith('>') && l.trim() !== '');
    expect(lines[first]).toBe(`agent-queue dashboard: ${url}`);
    await expectDashboard(url as string);
    // The default database: a SQLite file in AGENT_QUEUE_HOME, made by this start.
    const health = await fetch(new URL('/healthz', url as string));
    expect(await health.json()).toEqual({ ok: true });
    expect(readdirSync(home.path).some((f) => f.endsWith('.db'))).toBe(true);
  });
});
