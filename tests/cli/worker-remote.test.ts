// `agent-queue worker --server URL` as real processes on both backends: remote workers (each with
// its own worker token) and a local one share the jobs of one database through a real `serve`;
// each job runs once, a token's --types scope holds, cancel and SIGTERM reach a remote job, a serve
// restart mid-job, and the start-up errors (wrong token, unreachable server, two queues named).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { BIN, cliEnv } from '../helpers/bin.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli.js';
import { timelineProblems } from '../helpers/timeline.js';
import { makeTempDir, type TempDir } from '../helpers/tmp.js';
import { isGone, waitFor } from '../worker/worker-harness.js';
import type { Job } from '../../src/core/types.js';

const SLEEPER = fileURLToPath(new URL('../fixtures/worker-cli/sleeper.mjs', import.meta.url));
const node = process.execPath;

/** A long-lived CLI process (serve, worker) with no call timeout: a busy machine may take a while. */
interface LongCli {
  kill(signal: NodeJS.Signals): void;
  /** Everything it wrote on stderr so far (its JSON log). */
  stderr(): string;
  exited: Promise<{ code: number; stdout: string; stderr: string }>;
}

const started = new Set<LongCli>();

function startLong(env: Record<string, string>, args: string[]): LongCli {
  const child: ChildProcess = spawn(node, [BIN, ...args], {
    env: cliEnv(env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err })),
  );
  const proc: LongCli = {
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stderr: () => err,
    exited,
  };
  started.add(proc);
  void exited.then(() => started.delete(proc));
  return proc;
}

/**
 * Stops what a failed test left running. Two SIGTERMs first: a worker then kills its jobs' process
 * groups (a SIGKILL to the worker alone would leave them running); SIGKILL whatever is still up.
 */
async function stopLeftovers(): Promise<void> {
  const left = [...started];
  for (const p of left) {
    p.kill('SIGTERM');
    p.kill('SIGTERM');
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
  await Promise.race([Promise.all(left.map((p) => p.exited)), late]);
  clearTimeout(timer);
  for (const p of left) p.kill('SIGKILL');
  await Promise.all(left.map((p) => p.exited));
}

interface Serve extends LongCli {
  url: string;
  port: number;
}

/** The built `serve` on 127.0.0.1 (port 0: any free one); its port comes from the `listening` log line. */
async function startServe(env: Record<string, string>, port = 0): Promise<Serve> {
  const proc = startLong(env, ['serve', '--port', String(port)]);
  let ended = false;
  void proc.exited.then(() => (ended = true));
  const listening = await waitFor(
    () => {
      if (ended) throw new Error(`serve exited: ${proc.stderr()}`);
      for (const line of proc.stderr().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) return entry.port;
      }
      return undefined;
    },
    'serve to listen',
    20_000,
  );
  return { ...proc, url: `http://127.0.0.1:${listening}`, port: listening };
}

describe.each(backendsForSuite())(
  'agent-queue worker --server ($name)',
  { timeout: CLI_TEST_TIMEOUT_MS },
  (backend) => {
    let q: TestQueue;
    let env: Record<string, string>;
    let dir: TempDir;

    useTestQueue(backend, (opened) => {
      q = opened;
      env = opened.db.env;
    });
    beforeEach(() => {
      dir = makeTempDir('worker-remote');
    });
    // Registered after the queue hook, so it runs before the queue closes.
    afterEach(async () => {
      await stopLeftovers();
      dir.remove();
    });

    const job = async (id: string): Promise<Job> => (await q.service.get({ jobId: id })).job;
    const events = async (id: string) => (await q.service.events({ jobId: id, limit: 1000 })).events;
    const claimers = async (id: string) =>
      (await events(id))
        .filter((e) => e.kind === 'claimed')
        .map((e) => (e.data as { workerId: string }).workerId);
    const workerToken = async (name: string, types?: string[]) =>
      (await q.service.tokens.create({ name, role: 'worker', types })).token;
    /** A remote worker's environment: no database at all, only the server and the token. */
    const remoteEnv = (serve: Serve, token: string): Record<string, string> => ({
      AGENT_QUEUE_SERVER: serve.url,
      AGENT_QUEUE_TOKEN: token,
    });
    const childPid = (id: string) =>
      waitFor(
        () => {
          const file = join(dir.path, `${id}.pid`);
          return existsSync(file) && readFileSync(file, 'utf8') !== ''
            ? Number(readFileSync(file, 'utf8'))
            : null;
        },
        `job ${id} to start`,
        20_000,
      );
    const sleeper = (ms: number | string) => ['--', node, SLEEPER, String(ms), dir.path];
    const waitLine = (worker: { stderr(): string }, text: string, ms = 20_000) =>
      waitFor(() => worker.stderr().includes(text), `"${text}" in the log`, ms);

    it('remote workers and a local one share 30 jobs, each run exactly once; a token scope leaves another type queued', async () => {
      const scope = ['rw.job'];
      const tokens = await Promise.all(['rw-a', 'rw-b', 'rw-c'].map((n) => workerToken(n, scope)));
      const serve = await startServe(env);
      // The remote workers ask for any type: only their tokens keep them to rw.job.
      const workers: LongCli[] = tokens.map((token) =>
        startLong(remoteEnv(serve, token), ['worker', ...sleeper('{{payload.ms}}')]),
      );
      workers.push(
        startLong(env, [
          'worker',
          '--types',
          'rw.job',
          '--worker-id',
          'local-1',
          ...sleeper('{{payload.ms}}'),
        ]),
      );
      const other = (await q.service.enqueue({ type: 'rw.other', payload: { ms: 1 } })).job;
      const ids: string[] = [];
      for (let i = 0; i < 30; i++)
        ids.push((await q.service.enqueue({ type: 'rw.job', payload: { ms: 100, i } })).job.id);
      await waitFor(
        async () => {
          const { jobs } = await q.service.list({ type: 'rw.job', status: 'succeeded', limit: 100 });
          return jobs.length === 30;
        },
        'all 30 jobs to succeed',
        60_000,
        100,
      );
      for (const w of workers) w.kill('SIGTERM');
      for (const r of await Promise.all(workers.map((w) => w.exited))) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe('');
      }
      const by = new Map<string, number>();
      for (const id of ids) {
        const done = await job(id);
        expect(done.status, id).toBe('succeeded');
        expect(timelineProblems(done, await events(id)), id).toEqual([]);
        const who = await claimers(id);
        expect(who, id).toHaveLength(1);
        by.set(who[0]!, (by.get(who[0]!) ?? 0) + 1);
      }
      // The server records a remote claim under its token's name, whatever the worker asked.
      expect(new Set([...by.keys()].filter((w) => !['rw-a', 'rw-b', 'rw-c', 'local-1'].includes(w)))).toEqual(
        new Set(),
      );
      expect([...by.keys()].some((w) => w.startsWith('rw-'))).toBe(true);
      expect([...by.values()].reduce((a, b) => a + b, 0)).toBe(30);
      expect((await job(other.id)).status).toBe('queued');
    });

    it('a start-up line names the server (never the token) and the token name as worker id (not --worker-id); a child printing $AGENT_QUEUE_TOKEN gets it redacted', async () => {
      const token = await workerToken('rw-redact');
      const serve = await startServe(env);
      const { job: queued } = await q.service.enqueue({ type: 'rw.print' });
      const script = `console.log('token=' + process.env.AGENT_QUEUE_TOKEN); console.error('again ' + process.env.AGENT_QUEUE_TOKEN)`;
      const r = await runCli(remoteEnv(serve, token), [
        'worker',
        '--once',
        '--worker-id',
        'asked-for',
        '--',
        node,
        '-e',
        script,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/"given":"asked-for".*under its token name, not --worker-id/);
      const start = r.stderr.split('\n').find((l) => l.includes('starting'));
      expect(JSON.parse(start!)).toMatchObject({ workerId: 'rw-redact', server: serve.url });
      expect(start).not.toContain('database');
      expect(r.stderr).not.toContain(token);
      const done = await job(queued.id);
      expect(done).toMatchObject({ status: 'succeeded', resultSummary: 'token=[redacted]' });
      const timeline = await events(queued.id);
      expect(timeline.map((e) => e.message)).toEqual(
        expect.arrayContaining(['token=[redacted]', 'again [redacted]']),
      );
      expect(JSON.stringify(timeline)).not.toContain(token);
      expect(await claimers(queued.id)).toEqual(['rw-redact']);
    });

    it('cancel reaches a remote job: its child is gone and the job ends cancelled', async () => {
      const serve = await startServe(env);
      const worker = startLong(remoteEnv(serve, await workerToken('rw-cancel')), [
        'worker',
        '--cancel-grace',
        '1',
        ...sleeper(600_000),
      ]);
      const { job: queued } = await q.service.enqueue({ type: 'rw.long' });
      const pid = await childPid(queued.id);
      await q.service.cancel({ jobId: queued.id, reason: 'not needed' });
      await waitFor(() => isGone(pid), 'the child to be gone', 10_000);
      await waitFor(async () => (await job(queued.id)).status === 'cancelled', 'the job to end cancelled');
      worker.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    });

    it('SIGTERM to a remote worker lets its running job finish, then it exits 0', async () => {
      const serve = await startServe(env);
      const worker = startLong(remoteEnv(serve, await workerToken('rw-term')), [
        'worker',
        '--shutdown-grace',
        '60',
        ...sleeper(1_500),
      ]);
      const { job: queued } = await q.service.enqueue({ type: 'rw.sleep' });
      await childPid(queued.id);
      worker.kill('SIGTERM');
      const r = await worker.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(await job(queued.id)).toMatchObject({ status: 'succeeded', result: { slept: 1_500 } });
    });

    it('a serve restart mid-job: the worker retries its heartbeats and the job completes on its first attempt', async () => {
      const gate = join(dir.path, 'gate');
      const waitGate = `console.log('waiting'); const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(gate)})) { clearInterval(t); console.log('{"through":true}'); } }, 20); setTimeout(() => process.exit(9), 120000).unref()`;
      const token = await workerToken('rw-restart');
      const first = await startServe(env);
      // A 30 s lease: a beat every 5 s and a watch held open on the server, which the kill breaks.
      const worker = startLong(remoteEnv(first, token), [
        'worker',
        '--lease',
        '30',
        '--',
        node,
        '-e',
        waitGate,
      ]);
      const { job: queued } = await q.service.enqueue({ type: 'rw.gate' });
      await waitFor(
        async () => (await events(queued.id)).some((e) => e.message === 'waiting'),
        'the job to run',
      );
      first.kill('SIGKILL');
      await first.exited;
      // Both of the job's calls to the server fail while it is down, and the child keeps running.
      await waitLine(worker, 'watching the job failed');
      await waitLine(worker, 'heartbeat failed; trying again at the next beat');
      const second = await startServe(env, first.port);
      // A beat through the new server moves the lease on: the job stays ours, the child never stopped.
      const lease = Date.parse((await job(queued.id)).leaseExpiresAt!);
      await waitFor(
        async () => Date.parse((await job(queued.id)).leaseExpiresAt!) > lease,
        'a heartbeat through the new server',
        20_000,
      );
      writeFileSync(gate, '');
      await waitFor(async () => (await job(queued.id)).status === 'succeeded', 'the job to succeed', 20_000);
      const done = await job(queued.id);
      expect(done).toMatchObject({ attempt: 1, result: { through: true } });
      expect(await claimers(queued.id)).toEqual(['rw-restart']);
      expect((await events(queued.id)).map((e) => e.kind)).not.toContain('lease_expired');
      worker.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
      second.kill('SIGTERM');
      await second.exited;
    });

    it('a wrong token: exit 1 with how to get a worker token; a producer token: exit 1 naming the role', async () => {
      await workerToken('rw-some');
      const producer = (await q.service.tokens.create({ name: 'p-1', role: 'producer' })).token;
      const serve = await startServe(env);
      const wrong = await runCli(remoteEnv(serve, 'aq_not_a_real_token'), ['worker', '--', 'true']);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toBe('');
      expect(wrong.stderr).toMatch(
        /^error \[unauthorized\]: The server at http:\/\/127\.0\.0\.1:\d+ refused this worker/,
      );
      expect(wrong.stderr).toContain('agent-queue token create --role worker');
      expect(wrong.stderr).not.toContain('aq_not_a_real_token');
      const none = await runCli({ AGENT_QUEUE_SERVER: serve.url }, ['worker', '--', 'true']);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/^error \[unauthorized\]/);
      const role = await runCli(remoteEnv(serve, producer), ['worker', '--', 'true']);
      expect(role.code).toBe(1);
      expect(role.stderr).toMatch(/^error \[forbidden\]: .*role producer.*--role worker/);
    });
  },
);

describe('agent-queue worker --server: start-up errors', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('an unreachable server: exit 3, naming the server', async () => {
    const r = await runCli({ AGENT_QUEUE_SERVER: 'http://127.0.0.1:9/queue' }, ['worker', '--', 'true']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error \[unavailable\]: Cannot reach the agent-queue server at http:\/\/127\.0\.0\.1:9\/queue/,
    );
  });

  it('--server with a database URL (flag or DATABASE_URL): refused, exit 2, naming both', async () => {
    const flag = await runCli({}, [
      'worker',
      '--server',
      'http://127.0.0.1:9',
      '--database-url',
      'sqlite:///tmp/none.db',
      '--',
      'true',
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--server .* and --database-url .* name two queues/);
    const variable = await runCli(
      { AGENT_QUEUE_SERVER: 'http://127.0.0.1:9', DATABASE_URL: 'sqlite:///tmp/none.db' },
      ['worker', '--', 'true'],
    );
    expect(variable.code).toBe(2);
    expect(variable.stderr).toMatch(/name two queues/);
  });
});
