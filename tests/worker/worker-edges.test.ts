// The worker engine at its edges (SPEC §13): jobs that cannot start, output and results the queue
// would refuse, large payloads, a stop that comes after the child ended on its own, the push loop
// after a cancel, the local lease deadline and --once while the queue is unreachable.
import { describe, expect, it } from 'vitest';
import { type TestQueue, useTestQueue } from '../helpers/backends.js';
import { useWorkerPorts, workerCases } from './port-modes.js';
import { QueueError } from '../../src/core/errors.js';
import type { WorkerPort } from '../../src/queue/worker-port.js';
import type { WorkerOptions } from '../../src/worker/types.js';
import {
  fixture,
  isGone,
  loggedOutput,
  logEvents,
  runWorker,
  waitFor,
  type Harness,
  killWorkersAfterEach,
  portOf,
  runOnce as runOnceOver,
} from './worker-harness.js';

const node = process.execPath;
const unavailable = () => new QueueError('unavailable', 'the database is unreachable (test)');

describe.each(workerCases())('worker: edges ($name)', ({ backend, mode }) => {
  let q: TestQueue;
  let h: Harness | undefined;
  useTestQueue(backend, (opened) => (q = opened));
  const w = useWorkerPorts(mode, () => q);
  killWorkersAfterEach();

  async function runOnce(
    payload: Record<string, unknown>,
    opts: Partial<WorkerOptions> & { command: string[] },
    port: WorkerPort = w.port,
  ) {
    const ran = await runOnceOver(q.service, payload, opts, port);
    h = ran.harness;
    return ran;
  }

  it('fails for good, never stranded, when the program name is empty', async () => {
    const empty = await runOnce({ tool: '' }, { command: ['{{payload.tool}}', 'x'] });
    expect(empty.summary.failed).toBe(1);
    expect(empty.job).toMatchObject({ status: 'failed' });
    expect(empty.job.errorMessage).toMatch(/program name/);
    const step = await runOnce(
      { steps: [{ command: [''] }] },
      { command: [fixture('exit.mjs')], allowSteps: true },
    );
    expect(step.job).toMatchObject({ status: 'failed' });
    expect(step.job.errorMessage).toMatch(/program/);
  });

  it('cleans NUL and halves of surrogate pairs from output lines, summary and result', async () => {
    // One line of 6,002 characters without a newline: the 2,000-character line cut and the
    // 4,000-character tail cut both fall inside an emoji's surrogate pair.
    const script = `process.stdout.write('nul\\u0000here\\n' + JSON.stringify({ k: 'v\\u0000' }) + '\\n'); process.stdout.write('x' + '\\u{1F600}'.repeat(3000) + 'y')`;
    const { job, summary } = await runOnce({}, { command: [node, '-e', script] });
    expect(summary.succeeded).toBe(1);
    expect(job.status).toBe('succeeded');
    expect(job.resultSummary!.isWellFormed()).toBe(true);
    expect(job.resultSummary!.endsWith('\u{1F600}y')).toBe(true);
    const lines = (await logEvents(q.service, job.id)).map((e) => e.message ?? '').join('\n');
    expect(lines).toContain('nul\uFFFDhere');
    expect(lines).toContain('x\u{1F600}\u{1F600}');
    const nulResult = await runOnce(
      {},
      { command: [node, '-e', `console.log(JSON.stringify({ k: 'v\\u0000' }))`] },
    );
    expect(nulResult.job).toMatchObject({ status: 'succeeded', result: { k: 'v\uFFFD' } });
  });

  it('completes without a result the queue would refuse as too large', async () => {
    const script = `console.log('head'); console.log(JSON.stringify({ blob: 'z'.repeat(300 * 1024) }))`;
    const { job } = await runOnce({}, { command: [node, '-e', script] });
    expect(job.status).toBe('succeeded');
    expect(job.result ?? null).toBeNull();
  });

  it('sends a reduced ending call when the queue refuses the first (a smaller payload limit)', async () => {
    const small = q.connect({ settings: { payloadLimitBytes: 1024 } });
    const script = `console.log(JSON.stringify({ blob: 'z'.repeat(4000) }))`;
    const { job } = await runOnce({}, { command: [node, '-e', script] }, await w.over(small));
    expect(job.status).toBe('succeeded');
    expect(job.result ?? null).toBeNull();
  });

  it('fails with a short message when the queue refuses the error text', async () => {
    let refused = 0;
    const port = portOf(w.port, {
      fail: (i) => {
        if (refused++ === 0) return Promise.reject(new QueueError('invalid_argument', 'refused (test)'));
        return w.port.fail(i);
      },
    });
    const { job } = await runOnce({}, { command: [fixture('exit.mjs'), '3'] }, port);
    expect(job).toMatchObject({
      status: 'failed',
      errorMessage: 'the command failed; the queue refused its error text',
    });
  });

  it('passes a large payload on stdin only, and fails E2BIG for good', async () => {
    const payload = { big: 'p'.repeat(200 * 1024) };
    const env = await runOnce(payload, { command: [fixture('env.mjs')] });
    expect(env.job.status).toBe('succeeded');
    expect(env.job.result).not.toHaveProperty('AGENT_QUEUE_PAYLOAD');
    const read = await runOnce(payload, {
      command: [node, '-e', `let n=0;process.stdin.on('data',c=>n+=c.length).on('end',()=>console.log(n))`],
    });
    expect(read.job.status).toBe('succeeded');
    expect(Number(read.job.resultSummary)).toBeGreaterThan(200 * 1024);
    // One argument over 128 KiB: no worker can start it.
    const arg = await runOnce(payload, { command: [fixture('argv.mjs'), '{{payload.big}}'] });
    expect(arg.job.status).toBe('failed');
    expect(arg.job.errorMessage).toMatch(/E2BIG/);
  });

  it('a stop after the child already exited 0 does not override its result', async () => {
    // Output writes wait at a gate: the job sits between its child's exit and its ending call.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let pid = 0;
    const port = portOf(w.port, {
      log: async (i) => {
        const line = i.lines.find((l) => l.startsWith('pid '));
        if (line) pid = Number(line.slice(4));
        await gate;
        return w.port.log(i);
      },
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, {
      command: [node, '-e', `console.log('pid ' + process.pid); console.log('{"ok":1}')`],
    });
    await waitFor(() => pid > 0 && isGone(pid), 'the child to exit on its own');
    const killed = h.worker.kill();
    open();
    expect(await killed).toMatchObject({ succeeded: 1, abandoned: 0 });
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      status: 'succeeded',
      result: { ok: 1 },
    });
  });

  it('a cancel after the child already exited 0 does not throw its result away', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let pid = 0;
    let cancelSeen = false;
    const port = portOf(w.port, {
      log: async (i) => {
        const line = i.lines.find((l) => l.startsWith('pid '));
        if (line) pid = Number(line.slice(4));
        await gate;
        return w.port.log(i);
      },
      heartbeat: async (i) => {
        const answer = await w.port.heartbeat(i);
        if (answer.action === 'cancel') cancelSeen = true;
        return answer;
      },
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, {
      command: [node, '-e', `console.log('pid ' + process.pid); console.log('{"ok":2}')`],
    });
    await waitFor(() => pid > 0 && isGone(pid), 'the child to exit on its own');
    await q.connect().cancel({ jobId: job.id, reason: 'too late' });
    await waitFor(() => cancelSeen, 'the worker to hear of the cancel');
    open();
    await h.logged('job finished', { jobId: job.id });
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      status: 'succeeded',
      result: { ok: 2 },
    });
  });

  it('stops the push loop on a cancel that comes after the worker began to abandon the job', async () => {
    let beats = 0;
    const port = portOf(w.port, {
      heartbeat: (i) => {
        beats++;
        return w.port.heartbeat(i);
      },
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, { command: [fixture('ignore-term.mjs')], cancelGraceSeconds: 2 });
    await loggedOutput(q.service, job.id, 'ready');
    const down = h.worker.shutdown(0);
    await loggedOutput(q.service, job.id, 'SIGTERM ignored');
    const before = beats;
    await q.connect().cancel({ jobId: job.id, reason: 'stop' });
    await down;
    // The 2 s grace with 5 s beats: a beat or two, not one every 100 ms.
    expect(beats - before).toBeLessThan(5);
  });

  it('backs off to the beat interval while push-driven heartbeats fail', async () => {
    let failing = false;
    let failed = 0;
    const port = portOf(w.port, {
      heartbeat: (i) => {
        if (!failing) return w.port.heartbeat(i);
        failed++;
        return Promise.reject(unavailable());
      },
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    // 3 s lease: a beat a second; with no beat getting through the job is given up after 3 s.
    h = runWorker(port, { command: [fixture('sleep-forever.mjs')], leaseSeconds: 3 });
    await loggedOutput(q.service, job.id, 'ready');
    failing = true;
    // The pause changes the version the watch compares: it answers at once until a beat gets through.
    await q.connect().control.pause({ mode: 'drain', reason: 'deploy' });
    await h.logged('job finished', { jobId: job.id, outcome: 'abandoned' }, 10_000);
    // About 3 regular beats and 3 push-driven ones, not one every 100 ms.
    expect(failed).toBeLessThan(12);
  });

  it('kills the child and gives the job up once the lease ran out without a heartbeat', async () => {
    let fail = false;
    const port = portOf(w.port, {
      heartbeat: (i) => (fail ? Promise.reject(unavailable()) : w.port.heartbeat(i)),
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, { command: [fixture('sleep-forever.mjs')], leaseSeconds: 1 });
    const line = await loggedOutput(q.service, job.id, 'ready');
    expect(line).toContain('ready');
    fail = true;
    await h.logged(/lease lost/, { jobId: job.id }, 10_000);
    await h.logged('job finished', { jobId: job.id, outcome: 'abandoned' }, 10_000);
  });

  it('writes the message of a beat asked for while another was in flight', async () => {
    const { JobHeartbeat } = await import('../../src/worker/heartbeat.js');
    const { job } = await q.service.enqueue({ type: 'work' });
    const claimed = await q.service.claim({ workerId: 'w', leaseSeconds: 30 });
    expect(claimed.job?.id).toBe(job.id);
    const hb = new JobHeartbeat({
      port: w.port,
      jobId: job.id,
      leaseToken: claimed.lease!.token,
      leaseSeconds: 30,
      pauseVersion: claimed.system.version,
      push: false,
      log: { warn: () => {} } as never,
      onAnswer: () => {},
      onLost: () => {},
    });
    const first = hb.beat();
    await hb.beat('quiesced: paused before step 2 of 3');
    await first;
    const { events } = await q.service.events({ jobId: job.id, limit: 100 });
    expect(events.map((e) => e.message)).toContain('quiesced: paused before step 2 of 3');
  });

  it('--once gives up after a bounded time while claims answer unavailable', async () => {
    const port = portOf(w.port, { claim: () => Promise.reject(unavailable()) });
    h = runWorker(port, { once: true, command: [fixture('exit.mjs')] }, { onceUnavailableLimitMs: 300 });
    await expect(h.worker.done).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('does not take an older system block for a change (no false "workers resumed")', async () => {
    let beats = 0;
    const port = portOf(w.port, {
      heartbeat: async (i) => {
        const answer = await w.port.heartbeat(i);
        beats++;
        // The first answer says the fleet was paused (version + 1); later ones are older blocks.
        const paused = beats === 1;
        return {
          ...answer,
          system: {
            ...answer.system,
            version: answer.system.version + (paused ? 1 : 0),
            workersPaused: paused,
          },
        };
      },
    });
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, { command: [fixture('sleep-forever.mjs')], leaseSeconds: 1, push: false });
    await loggedOutput(q.service, job.id, 'ready');
    await waitFor(() => beats >= 3, 'three heartbeats');
    expect(h.lines.filter((l) => /workers paused/.test(l.msg))).toHaveLength(1);
    expect(h.lines.filter((l) => /workers resumed/.test(l.msg))).toEqual([]);
  });
});
