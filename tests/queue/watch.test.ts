// Push to a worker holding a job (SPEC §7 "learns it by push"): watchJob wakes on a cancel request or
// a pause change made through another connection, long before its timeout, and only then.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';

describe.each(backendsForSuite())('watchJob push ($name)', (backend) => {
  let q: TestQueue;

  useTestQueue(backend, (opened) => (q = opened));

  async function runningJob() {
    await q.service.enqueue({ type: 'build' });
    const { job, lease, system } = await q.service.claim({ workerId: 'w' });
    return { id: job!.id, token: lease!.token, version: system.version };
  }

  it('wakes the holder when another connection requests cancellation', async () => {
    const { id, token } = await runningJob();
    const operator = q.connect();
    const started = performance.now();
    const watching = q.service.watchJob(id, { timeoutMs: 15_000 });
    await operator.cancel({ jobId: id, reason: 'stop' });
    expect(await watching).toBe(true);
    expect(performance.now() - started).toBeLessThan(8_000);
    const hb = await q.service.heartbeat({ jobId: id, leaseToken: token });
    expect(hb.action).toBe('cancel');
  });

  it('wakes the holder when the fleet is quiesced', async () => {
    const { id, token, version } = await runningJob();
    const operator = q.connect();
    // The version the holder last saw: a pause landing while the watch sets up is not missed.
    const watching = q.service.watchJob(id, { timeoutMs: 15_000, pauseVersion: version });
    await operator.control.pause({ mode: 'quiesce', reason: 'upgrade' });
    expect(await watching).toBe(true);
    expect((await q.service.heartbeat({ jobId: id, leaseToken: token })).action).toBe('pause');
  });

  it('wakes at once when the pause state already moved past the version the holder saw', async () => {
    const { id, version } = await runningJob();
    await q.connect().control.pause({ mode: 'quiesce', reason: 'upgrade' });
    const started = performance.now();
    expect(await q.service.watchJob(id, { timeoutMs: 15_000, pauseVersion: version })).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('returns false at the timeout when nothing changed, and early on abort', async () => {
    const { id, version } = await runningJob();
    expect(await q.service.watchJob(id, { timeoutMs: 300, pauseVersion: version })).toBe(false);
    const abort = new AbortController();
    const watching = q.service.watchJob(id, { timeoutMs: 15_000, signal: abort.signal });
    const started = performance.now();
    abort.abort();
    expect(await watching).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
