// Wake-ups between connections: a write's `notify` reaches subscribers on other connections after
// it has committed (a subscriber that reads on the signal sees the change), a write that changed
// nothing sends none, and notify() reaches them directly. (SQLite adds `changed` signals for commits
// it cannot describe; they are ignored here.)
import { expect, it } from 'vitest';
import { claimParams, describeEachStore, ENQUEUED, insertJob, newJob, runningJob } from './each-store.js';
import type { JobRecord, Signal, Store } from '../../../src/store/store.js';

/** Subscribes `store` and collects its signals (but `changed`); `next(match)` waits for a matching one. */
async function listen(store: Store) {
  const seen: Signal[] = [];
  const waiting: { match: (s: Signal) => boolean; resolve: (s: Signal) => void }[] = [];
  const unsubscribe = await store.subscribe((signal) => {
    if (signal.kind === 'changed') return;
    seen.push(signal);
    for (const w of waiting.filter((x) => x.match(signal))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(signal);
    }
  });
  return {
    seen,
    unsubscribe,
    next(match: (s: Signal) => boolean): Promise<Signal> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching signal within 10 s')), 10_000);
        waiting.push({
          match,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      });
    },
  };
}

describeEachStore('store: notify and subscribe', (s) => {
  it('a write’s signal reaches another connection after its commit', async () => {
    const other = s.open();
    const job = newJob({ type: 'build', requiredCapabilities: ['gpu'] });
    // Read at once on the subscriber's own connection, as a woken claimer does: the job must be there.
    const reads: Promise<boolean>[] = [];
    const stop = await other.subscribe((signal) => {
      if (signal.kind === 'job_ready') reads.push(other.jobGet({ id: job.id }).then((row) => row !== null));
    });
    const listener = await listen(other);
    const ready: Signal = { kind: 'job_ready', type: 'build', requiredCapabilities: ['gpu'] };
    await s.store.jobInsert({ job, event: ENQUEUED, notify: ready });
    expect(await listener.next((x) => x.kind === 'job_ready')).toEqual(ready);
    expect(await Promise.all(reads)).toEqual([true]);
    stop();
    listener.unsubscribe();
  });

  it('jobUpdate sends its signal only when it applied', async () => {
    const other = s.open();
    const listener = await listen(other);
    const job = await runningJob(s.store);
    const changed: Signal = { kind: 'job_changed', jobId: job.id };
    const missed = await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running', leaseToken: 'stale' },
      set: { cancelReason: 'x' },
      now: job.updatedAt,
      notify: changed,
    });
    expect(missed).toBeNull();
    // A marker sent after the miss: once it arrived, a signal from the miss would have too.
    await s.store.notify({ kind: 'pause_changed', version: 99 });
    await listener.next((x) => x.kind === 'pause_changed');
    expect(listener.seen).toEqual([{ kind: 'pause_changed', version: 99 }]);

    await s.store.jobUpdate({
      id: job.id,
      expect: { status: 'running' },
      set: { cancelReason: 'x' },
      now: job.updatedAt,
      notify: changed,
    });
    expect(await listener.next((x) => x.kind === 'job_changed')).toEqual(changed);
    listener.unsubscribe();
  });

  it('a deduplicated insert sends no signal', async () => {
    await insertJob(s.store, { type: 'build', dedupeKey: 'k' });
    const listener = await listen(s.open());
    const ready: Signal = { kind: 'job_ready', type: 'build' };
    const again = await s.store.jobInsert({
      job: newJob({ type: 'build', dedupeKey: 'k' }),
      event: ENQUEUED,
      notify: ready,
    });
    expect(again.inserted).toBe(false);
    await s.store.notify({ kind: 'pause_changed', version: 1 });
    await listener.next((x) => x.kind === 'pause_changed');
    expect(listener.seen).toEqual([{ kind: 'pause_changed', version: 1 }]);
    listener.unsubscribe();
  });

  it('notify() reaches subscribers on this and other connections; unsubscribe stops them', async () => {
    const here = await listen(s.store);
    const there = await listen(s.open());
    const signal: Signal = { kind: 'pause_changed', version: 3 };
    await s.store.notify(signal);
    expect(await here.next((x) => x.kind === 'pause_changed')).toEqual(signal);
    expect(await there.next((x) => x.kind === 'pause_changed')).toEqual(signal);
    here.unsubscribe();
    await s.store.notify({ kind: 'job_changed', jobId: 'after' });
    await there.next((x) => x.kind === 'job_changed');
    expect(here.seen).toEqual([signal]);
    there.unsubscribe();
  });

  it('jobAwait counts waits in and out on the row, never below 0, and answers null for no job', async () => {
    const job = await runningJob(s.store);
    expect((await s.store.jobAwait({ id: job.id, delta: 1 }))?.awaiters).toBe(1);
    expect((await s.store.jobAwait({ id: job.id, delta: 1 }))?.awaiters).toBe(2);
    expect((await s.store.jobAwait({ id: job.id, delta: -1 }))?.awaiters).toBe(1);
    expect((await s.store.jobAwait({ id: job.id, delta: -1 }))?.awaiters).toBe(0);
    expect((await s.store.jobAwait({ id: job.id, delta: -1 }))?.awaiters).toBe(0);
    // Not a transition: the row's version (updated_at) and its timeline are untouched.
    const after = await s.store.jobGet({ id: job.id });
    expect(after?.updatedAt).toEqual(job.updatedAt);
    expect(await s.store.jobAwait({ id: newJob().id, delta: 1 })).toBeNull();
    expect(await s.store.jobAwait({ id: 'not-a-uuid', delta: 1 })).toBeNull();
  });

  it('an ending’s job_finished reaches other connections only while a wait counts itself in (PostgreSQL)', async () => {
    const listener = await listen(s.open());
    const [alone, awaited] = [await runningJob(s.store), await runningJob(s.store)];
    await s.store.jobAwait({ id: awaited.id, delta: 1 });
    const end = (job: JobRecord) =>
      s.store.jobUpdate({
        id: job.id,
        expect: { status: 'running' },
        set: { status: 'succeeded', finishedAt: job.updatedAt },
        now: job.updatedAt,
        notify: { kind: 'job_finished', jobId: job.id },
      });
    expect(await end(alone)).not.toBeNull();
    expect(await end(awaited)).not.toBeNull();
    // Delivered in commit order: once the awaited job's signal is here, the other's would be too.
    await listener.next((x) => x.kind === 'job_finished' && x.jobId === awaited.id);
    const finished = listener.seen.filter((x) => x.kind === 'job_finished').map((x) => x.jobId);
    // SQLite signals every commit of this process in-process (nothing to save); PostgreSQL NOTIFYs
    // only the awaited one, since every NOTIFY serialises the database's commits.
    expect(finished).toEqual(s.backend.name === 'postgres' ? [awaited.id] : [alone.id, awaited.id]);
    listener.unsubscribe();
  });

  it('a claim sends no signal of its own', async () => {
    await insertJob(s.store);
    const listener = await listen(s.open());
    expect((await s.store.jobClaim(claimParams())).job).not.toBeNull();
    await s.store.notify({ kind: 'pause_changed', version: 5 });
    await listener.next((x) => x.kind === 'pause_changed');
    expect(listener.seen).toEqual([{ kind: 'pause_changed', version: 5 }]);
    listener.unsubscribe();
  });
});
