// The worker engine in-process over a real queue (SPEC §13): what a child's exit makes of the job,
// placeholders, steps, output in the timeline (redacted), and --once.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type TestQueue, useTestQueue } from '../helpers/backends.js';
import { useWorkerPorts, workerCases } from './port-modes.js';
import {
  fixture,
  killWorkersAfterEach,
  logEvents,
  runOnce as runOnceOver,
  runWorker,
  SECRET,
  type Harness,
} from './worker-harness.js';
import type { WorkerOptions } from '../../src/worker/types.js';

const node = process.execPath;

describe.each(workerCases())('worker: results ($name)', ({ backend, mode }) => {
  let q: TestQueue;
  let h: Harness | undefined;
  useTestQueue(backend, (opened) => (q = opened));
  const w = useWorkerPorts(mode, () => q);
  killWorkersAfterEach();

  async function runOnce(
    payload: Record<string, unknown>,
    opts: Partial<WorkerOptions> & { command: string[] },
  ) {
    const ran = await runOnceOver(q.service, payload, opts, w.port);
    h = ran.harness;
    return ran;
  }

  it('completes on exit 0 with the stdout tail as summary and the last JSON line as result', async () => {
    const { job, summary } = await runOnce({}, { command: [fixture('print-json.mjs'), 'a b'] });
    expect(summary).toEqual({ succeeded: 1, failed: 0, cancelled: 0, abandoned: 0 });
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({ ok: true, answer: 42, args: ['a b'] });
    expect(job.resultSummary).toMatch(/^starting\nworking\n\{"ok":true/);
    const out = (await logEvents(q.service, job.id)).map((e) => e.message).join('\n');
    expect(out).toContain('starting\nworking');
    // One line per job start and finish.
    expect(h!.lines.find((l) => l.msg === 'job finished')).toMatchObject({
      jobId: job.id,
      outcome: 'succeeded',
    });
  });

  it('gives the child the payload on stdin and the job in its environment', async () => {
    const { job } = await runOnce({ n: 7 }, { command: [fixture('read-stdin.mjs')] });
    expect(job.result).toEqual({ stdin: { n: 7 } });
    const env = await runOnce({ n: 8 }, { command: [fixture('env.mjs')] });
    expect(env.job.result).toMatchObject({
      AGENT_QUEUE_JOB_ID: env.job.id,
      AGENT_QUEUE_JOB_TYPE: 'work',
      AGENT_QUEUE_PAYLOAD: '{"n":8}',
      AGENT_QUEUE_ATTEMPT: '1',
    });
  });

  it('fails a non-zero exit retryable, with stderr as the error', async () => {
    const { job, summary } = await runOnce({}, { command: [fixture('exit.mjs'), '1'] });
    expect(summary.failed).toBe(1);
    expect(job).toMatchObject({ status: 'queued', attempt: 1, errorMessage: 'exiting with 1' });
  });

  it('fails retryable when the command cannot start (another worker may have it)', async () => {
    const { job } = await runOnce({}, { command: ['/nonexistent/agent-queue-test-program'] });
    expect(job.status).toBe('queued');
    expect(job.errorMessage).toMatch(/could not start the command/);
  });

  it('fails for good on an exit code listed as not retryable', async () => {
    const { job } = await runOnce({}, { command: [fixture('exit.mjs'), '3'], noRetryExitCodes: [3] });
    expect(job).toMatchObject({ status: 'failed', errorMessage: 'exiting with 3' });
  });

  it('puts payload values into argv as whole arguments, never through a shell', async () => {
    const marker = `/tmp/aq-worker-${process.pid}-${Date.now()}`;
    const evil = `$(touch ${marker}); echo hi`;
    const { job } = await runOnce(
      { msg: evil, n: 3, obj: { a: [1] } },
      { command: [fixture('argv.mjs'), '{{payload.msg}}', 'n={{payload.n}}', '{{payload.obj}}'] },
    );
    expect(job.status).toBe('succeeded');
    expect(JSON.parse(job.resultSummary!)).toEqual([evil, 'n=3', '{"a":[1]}']);
    expect(existsSync(marker)).toBe(false);
  });

  it('fails for good, naming the path, when a placeholder has no value', async () => {
    const { job } = await runOnce({}, { command: [fixture('argv.mjs'), '{{payload.missing.x}}'] });
    expect(job.status).toBe('failed');
    expect(job.errorMessage).toContain('payload.missing');
  });

  it('refuses payload steps unless the worker allows them', async () => {
    const steps = [{ command: [fixture('print-json.mjs')] }];
    const { job } = await runOnce({ steps }, { command: [fixture('exit.mjs'), '1'] });
    expect(job.status).toBe('failed');
    expect(job.errorMessage).toMatch(/--allow-steps/);
    const allowed = await runOnce({ steps }, { command: [fixture('exit.mjs'), '1'], allowSteps: true });
    expect(allowed.job).toMatchObject({ status: 'succeeded', result: { ok: true } });
  });

  it('streams output lines to the timeline with the worker environment secrets redacted', async () => {
    const script = `console.log('token is ' + process.env.DEPLOY_API_TOKEN); console.error('err ' + process.env.DEPLOY_API_TOKEN)`;
    const { job } = await runOnce({}, { command: [node, '-e', script] });
    expect(job.status).toBe('succeeded');
    const events = await logEvents(q.service, job.id);
    expect(events.map((e) => [e.message, e.data])).toEqual(
      expect.arrayContaining([
        ['token is [redacted]', { stream: 'stdout', lines: 1 }],
        ['err [redacted]', { stream: 'stderr', lines: 1 }],
      ]),
    );
    expect(JSON.stringify(await q.service.events({ jobId: job.id, limit: 1000 }))).not.toContain(SECRET);
    expect(job.resultSummary).toBe('token is [redacted]');
  });

  it('stops with the refusal when a claim can never succeed (a bad type)', async () => {
    h = runWorker(w.port, { types: ['not a type!'], command: [fixture('print-json.mjs')] });
    await expect(h.worker.done).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(h.lines.find((l) => l.msg === 'claim refused; the worker stops')).toBeDefined();
  });

  it('--once drains every available job over several slots, then resolves', async () => {
    for (let i = 0; i < 5; i++) await q.service.enqueue({ type: 'work', payload: { i } });
    h = runWorker(w.port, { once: true, concurrency: 2, command: [fixture('read-stdin.mjs')] });
    expect(await h.worker.done).toEqual({ succeeded: 5, failed: 0, cancelled: 0, abandoned: 0 });
    const { jobs } = await q.service.list({ status: 'succeeded', full: true });
    expect(jobs.map((j) => (j.result as { stdin: { i: number } }).stdin.i).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
