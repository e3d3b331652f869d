// The worker engine obeys the queue (SPEC §7, §8, §13): cancel (push), quiesce at a step boundary
// or by SIGSTOP, lease loss, and its own shutdown. In-process over a real queue; a second connection
// acts as the operator.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TestQueue, useTestQueue } from '../helpers/backends.js';
import { useWorkerPorts, workerCases } from './port-modes.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { makeTempDir } from '../helpers/tmp.js';
import type { QueueService } from '../../src/queue/service.js';
import {
  fixture,
  isGone,
  loggedOutput,
  procState,
  recordingPort,
  runWorker,
  waitFor,
  waitStatus,
  type Harness,
  killWorkersAfterEach,
} from './worker-harness.js';

const node = process.execPath;

async function pidsOf(svc: QueueService, jobId: string): Promise<{ child: number; grandchild: number }> {
  const line = await loggedOutput(svc, jobId, '"grandchild"');
  return JSON.parse(line.split('\n').find((l) => l.includes('"grandchild"'))!) as {
    child: number;
    grandchild: number;
  };
}

describe.each(workerCases())('worker: control ($name)', ({ backend, mode }) => {
  let q: TestQueue;
  let h: Harness | undefined;
  useTestQueue(backend, (opened) => (q = opened));
  const w = useWorkerPorts(mode, () => q);
  killWorkersAfterEach();

  it('cancel: the child and its grandchild are gone within grace + 1 s and the job ends cancelled', async () => {
    const operator = q.connect();
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('grandchild.mjs')], cancelGraceSeconds: 1 });
    const { child, grandchild } = await pidsOf(q.service, job.id);
    expect(isGone(child) || isGone(grandchild)).toBe(false);
    const started = performance.now();
    await operator.cancel({ jobId: job.id, reason: 'stop it' });
    await waitFor(() => isGone(child) && isGone(grandchild), 'child and grandchild to be gone', 2_500);
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitStatus(q.service, job.id, 'cancelled');
    expect((await h.worker.shutdown(1_000)).cancelled).toBe(1);
  });

  it('cancel without push: the next regular heartbeat ends the job', async () => {
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('sleep-forever.mjs')], push: false, leaseSeconds: 3 });
    await loggedOutput(q.service, job.id, 'ready');
    await q.connect().cancel({ jobId: job.id });
    await waitStatus(q.service, job.id, 'cancelled');
  });

  it('drain: the running job finishes, nothing new is claimed until resume, the pause is logged once', async () => {
    const dir = makeTempDir('drain');
    const gate = join(dir.path, 'gate');
    const waitGate = `const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(gate)})) clearInterval(t); }, 20)`;
    const operator = q.connect();
    const first = (await q.service.enqueue({ type: 'work' })).job;
    // The worker's claim long-polls through the pause and the resume wakes it: were it to sleep off
    // retryAfterSeconds (an hour here) instead, the second job would never run within the test.
    const port = await w.over(q.connect({ settings: { pausedRetryAfterSeconds: 3600 } }));
    h = runWorker(port, { command: [node, '-e', waitGate] });
    await h.logged('job started', { jobId: first.id });
    await operator.control.pause({ mode: 'drain', reason: 'deploy' });
    // The running job's heartbeat (woken by the pause) tells the worker. Waited for before the job
    // ends: a remote worker whose job ended first would learn of the pause only from its next claim
    // answer, which a REST long-poll gives at the resume.
    await h.logged('workers paused (drain)');
    const second = (await q.service.enqueue({ type: 'work' })).job;
    writeFileSync(gate, '');
    await waitStatus(q.service, first.id, 'succeeded');
    expect((await operator.get({ jobId: second.id })).job.status).toBe('queued');
    await operator.control.resume({ reason: 'deployed' });
    await waitStatus(q.service, second.id, 'succeeded');
    await h.logged('workers resumed');
    expect(h.lines.filter((l) => l.msg.startsWith('workers paused'))).toHaveLength(1);
    dir.remove();
  });

  it('cancel: a child that ignores SIGTERM is killed after the grace period', async () => {
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('ignore-term.mjs')], cancelGraceSeconds: 1 });
    await loggedOutput(q.service, job.id, 'ready');
    const started = performance.now();
    await q.connect().cancel({ jobId: job.id });
    await loggedOutput(q.service, job.id, 'SIGTERM ignored');
    await waitStatus(q.service, job.id, 'cancelled');
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(2_500);
  });

  it('quiesce stops at the step boundary, keeps the lease alive, and continues after resume', async () => {
    const dir = makeTempDir('steps');
    const stepLog = join(dir.path, 'steps.log');
    const gate = join(dir.path, 'gate');
    // Step one records itself, then waits for the gate file: the test decides when it ends.
    const waitGate = `require('fs').appendFileSync(process.env.STEP_LOG, 'one\\n'); const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(gate)})) clearInterval(t); }, 20)`;
    const steps = [{ command: [node, '-e', waitGate] }, { command: [fixture('step.mjs'), 'two'] }];
    const operator = q.connect();
    const { job } = await q.service.enqueue({ type: 'work', payload: { steps } });
    h = runWorker(w.port, {
      command: ['unused'],
      allowSteps: true,
      leaseSeconds: 3,
      env: { ...process.env, STEP_LOG: stepLog },
    });
    await waitFor(() => existsSync(stepLog), 'step one to start');
    await operator.control.pause({ mode: 'quiesce', reason: 'maintenance' });
    await h.logged('quiesce: pausing this job', { jobId: job.id });
    writeFileSync(gate, '');
    // Step one ends by itself; the worker stops before step two and says so on the timeline.
    await waitStatus(q.service, job.id, (j) => j.progressMessage === 'quiesced: paused before step 2 of 2');
    // Twice the lease passes while quiesced: the job stays ours with a lease in the future throughout.
    const until = performance.now() + 6_500;
    await waitFor(
      async () => {
        const { job: now } = await operator.get({ jobId: job.id });
        expect(now.status).toBe('running');
        expect(new Date(now.leaseExpiresAt!).getTime()).toBeGreaterThan(Date.now());
        expect(readFileSync(stepLog, 'utf8')).toBe('one\n');
        return performance.now() > until;
      },
      'the quiesce to last two leases',
      10_000,
      200,
    );
    await operator.control.resume({ reason: 'done', force: true });
    await waitStatus(q.service, job.id, 'succeeded');
    expect(readFileSync(stepLog, 'utf8')).toBe('one\ntwo\n');
    dir.remove();
  });

  it('quiesce with quiesceSignal stops the process group at once and continues it on resume', async () => {
    const operator = q.connect();
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('grandchild.mjs')], quiesceSignal: true });
    const { child, grandchild } = await pidsOf(q.service, job.id);
    await operator.control.pause({ mode: 'quiesce', reason: 'hold' });
    await waitFor(
      () => procState(child) === 'T' && procState(grandchild) === 'T',
      'the group to stop',
      5_000,
    );
    await operator.control.resume({ reason: 'go', force: true });
    await waitFor(
      () => procState(child) !== 'T' && procState(grandchild) !== 'T',
      'the group to continue',
      5_000,
    );
    expect((await operator.get({ jobId: job.id })).job.status).toBe('running');
    await operator.cancel({ jobId: job.id });
    await waitStatus(q.service, job.id, 'cancelled');
  });

  it('shutdown lets a running job finish within the grace period', async () => {
    const { job } = await q.service.enqueue({ type: 'work' });
    const script = `console.log('started'); setTimeout(() => console.log('{"finished":true}'), 700)`;
    h = runWorker(w.port, { command: [node, '-e', script] });
    await h.logged('job started', { jobId: job.id });
    const summary = await h.worker.shutdown(10_000);
    expect(summary).toEqual({ succeeded: 1, failed: 0, cancelled: 0, abandoned: 0 });
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      status: 'succeeded',
      result: { finished: true },
    });
  });

  it('shutdown fails a job that outlives the grace period retryable, and ends its child', async () => {
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('grandchild.mjs')], cancelGraceSeconds: 1 });
    const { child, grandchild } = await pidsOf(q.service, job.id);
    const summary = await h.worker.shutdown(200);
    expect(summary.abandoned).toBe(1);
    expect(isGone(child) && isGone(grandchild)).toBe(true);
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      status: 'queued',
      errorMessage: 'worker shutting down',
    });
  });

  it('kill ends every child at once and fails their jobs retryable', async () => {
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(w.port, { command: [fixture('grandchild.mjs')], cancelGraceSeconds: 10 });
    const { child, grandchild } = await pidsOf(q.service, job.id);
    const started = performance.now();
    expect((await h.worker.kill()).abandoned).toBe(1);
    // Well under the 10 s grace: nothing waits for SIGTERM.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(isGone(child) && isGone(grandchild)).toBe(true);
    expect((await q.service.get({ jobId: job.id })).job).toMatchObject({
      status: 'queued',
      errorMessage: 'worker shutting down',
    });
  });
});

describe.each(workerCases())('worker: lease loss ($name)', ({ backend, mode }) => {
  let q: TestQueue;
  let clock: FakeClock;
  let h: Harness | undefined;
  useTestQueue(
    backend,
    (opened) => (q = opened),
    () => ({ clock: (clock = new FakeClock()) }),
  );
  const w = useWorkerPorts(mode, () => q);
  killWorkersAfterEach();

  it('kills the child when the lease expired and never reports the job; a late complete is refused', async () => {
    const operator = q.connect();
    const { port, tokens } = recordingPort(w.port);
    const { job } = await q.service.enqueue({ type: 'work' });
    h = runWorker(port, { command: [fixture('grandchild.mjs')], leaseSeconds: 3 });
    const { child, grandchild } = await pidsOf(q.service, job.id);
    // The operator's clock jumps past the lease; its sweep requeues the job.
    clock.advance(60);
    expect(await operator.sweepExpired()).toBe(1);
    await waitFor(() => isGone(child) && isGone(grandchild), 'the child to be killed', 5_000);
    await h.logged(/lease lost/, { jobId: job.id });
    expect(await h.worker.shutdown(1_000)).toMatchObject({ abandoned: 1, succeeded: 0, failed: 0 });
    const { events } = await operator.events({ jobId: job.id, limit: 1000 });
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('lease_expired');
    expect(kinds.slice(kinds.indexOf('lease_expired'))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/completed|failed|cancelled/)]),
    );
    expect((await operator.get({ jobId: job.id })).job).toMatchObject({ status: 'queued', attempt: 1 });
    await expectQueueError(
      operator.complete({ jobId: job.id, leaseToken: tokens.get(job.id)! }),
      'lease_lost',
    );
  });
});
