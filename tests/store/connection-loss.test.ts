// A PostgreSQL connection that dies under a running process (a restart, an administrator's
// pg_terminate_backend, a dropped socket) must cost the calls in flight an `unavailable` answer,
// never the process: before the fix, a socket error on a checked-out client was an unhandled
// 'error' event that ended the process. This runs in the test's own process, so a crash fails it.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, PG_URL, type TestDb, withPgAdmin } from '../helpers/backends.js';
import { isQueueError } from '../../src/core/errors.js';
import { QueueService } from '../../src/queue/service.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

/** Terminates every backend of this application name (this test's connections only). */
async function terminate(appName: string): Promise<number> {
  const r = await withPgAdmin((c) =>
    c.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [appName]),
  );
  return r.rowCount ?? 0;
}

describe.runIf(postgres.available)('postgres: connections lost under load', () => {
  let db: TestDb | undefined;
  let store: Store | undefined;
  let service: QueueService | undefined;
  afterEach(async () => {
    await service?.close();
    await store?.close();
    await db?.drop();
  });

  it('answers unavailable while connections die, never crashes, and recovers by itself', async () => {
    db = await postgres.create();
    const appName = `aq_loss_${randomBytes(4).toString('hex')}`;
    const target = db.target.kind === 'postgres' ? db.target : null;
    store = openStore(
      { ...target!, url: `${PG_URL}?application_name=${appName}`, poolSize: 6 },
      { migrate: true },
    );
    // Opened first: this is about a running process losing its connections (start-up is open-faults.test.ts).
    await store.connect();
    service = new QueueService({ store });
    const svc = service;
    const seen = new Map<string, number>();
    const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    let stop = false;
    const guarded = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        note('ok');
      } catch (err) {
        note(isQueueError(err) ? err.code : `raw:${(err as Error).message}`);
        // As a client would: pause a moment before retrying a failed call.
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const loops = [
      (async () => {
        while (!stop) await guarded(() => svc.enqueue({ type: 'loss', payload: { n: 1 } }));
      })(),
      ...[1, 2].map(async (w) => {
        while (!stop)
          await guarded(async () => {
            const a = await svc.claim({ workerId: `w${w}`, waitSeconds: 0.2 });
            if (a.job) await svc.complete({ jobId: a.job.id, leaseToken: a.lease!.token });
          });
      }),
      (async () => {
        while (!stop) await guarded(() => svc.list({ limit: 5 }));
      })(),
    ];
    let terminated = 0;
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 60 + Math.random() * 120));
      terminated += await terminate(appName);
    }
    stop = true;
    await Promise.all(loops);
    // Every failure was a coded `unavailable`, nothing raw or internal.
    const failures = [...seen.keys()].filter((k) => k !== 'ok');
    expect(
      failures.every((k) => k === 'unavailable'),
      JSON.stringify([...seen]),
    ).toBe(true);
    expect(terminated).toBeGreaterThan(0);
    // And the same service works again without being reopened.
    const { job } = await svc.enqueue({ type: 'after' });
    expect((await svc.get({ jobId: job.id })).job.status).toBe('queued');
  });
});
