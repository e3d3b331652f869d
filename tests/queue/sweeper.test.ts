// The background sweeper (SPEC §6): in a long-lived process, a running job whose lease expired is
// handled within about a second in real time, without any claim triggering it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { startSweeper } from '../../src/queue/maintenance.js';
import type { Signal } from '../../src/store/store.js';

describe.each(backendsForSuite())('background sweeper ($name)', (backend) => {
  let q: TestQueue;
  let sweeper: { stop(): Promise<void> } | null = null;
  let unsubscribe: (() => void) | null = null;

  beforeEach(async () => {
    q = await openTestQueue(backend);
  });
  afterEach(async () => {
    unsubscribe?.();
    await sweeper?.stop();
    sweeper = null;
    await q.close();
  });

  /**
   * Subscribes now (resolved once listening) and gives the first "job is claimable again" wake-up
   * for this type, or null after ms.
   */
  async function requeueSignal(type: string, ms: number): Promise<{ next: Promise<Signal | null> }> {
    let resolve!: (s: Signal | null) => void;
    const got = new Promise<Signal | null>((r) => (resolve = r));
    unsubscribe = await q.store.subscribe((s) => {
      if (s.kind === 'job_ready' && s.type === type) resolve(s);
    });
    const timer = setTimeout(() => resolve(null), ms);
    return { next: got.finally(() => clearTimeout(timer)) };
  }

  it('requeues an expired lease within about a second, with no claim to trigger it', async () => {
    const { job } = await q.service.enqueue({ type: 'build' });
    const claimed = await q.service.claim({ workerId: 'dies', leaseSeconds: 1 });
    const expiresAt = new Date(claimed.lease!.expiresAt).getTime();
    const signal = await requeueSignal('build', 20_000);
    sweeper = startSweeper(q.connect(), { intervalMs: 250 });
    expect(await signal.next).not.toBeNull();
    // Generous on a loaded machine; the point is "about a second", not the 20 s bound.
    expect(Date.now() - expiresAt).toBeLessThan(8_000);
    const after = await q.service.get({ jobId: job.id, events: 10 });
    expect(after.job.status).toBe('queued');
    expect(after.events!.map((e) => e.kind)).toEqual(['enqueued', 'claimed', 'lease_expired']);
  });

  it('after stop() nothing is swept any more', async () => {
    await q.service.enqueue({ type: 'build' });
    const claimed = await q.service.claim({ workerId: 'w', leaseSeconds: 1 });
    sweeper = startSweeper(q.connect(), { intervalMs: 100 });
    await sweeper.stop();
    sweeper = null;
    expect(await (await requeueSignal('build', 2_500)).next).toBeNull();
    expect((await q.store.jobGet({ id: claimed.job!.id }))?.status).toBe('running');
  });
});
