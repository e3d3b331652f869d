// The Store conformance suite's harness (after River's riverdrivertest): every test calls Store methods
// directly, on every backend, each time on a fresh migrated database. The queue service is never
// involved, so a failure here is the store's. What a backend cannot do is listed in SKIPS, with why.
import { afterEach, beforeEach, describe } from 'vitest';
import { backendsForSuite, type Backend, type TestDb } from '../../helpers/backends.js';
import type { JobRecord, NewEvent, Store } from '../../../src/store/store.js';
import { newJobRecord } from '../../../src/queue/transitions.js';

/** Every skip of the suite: the test (by its name), the backend that cannot run it, and why. */
export const SKIPS: readonly { test: string; backend: Backend['name']; why: string }[] = [
  {
    test: 'a claim skips a job another transaction has locked and takes the next one',
    backend: 'sqlite',
    why:
      'SQLite has one writer: a transaction holding a lock holds the whole file, so no claim runs ' +
      'beside it (it waits for the busy timeout). There is no row lock to skip.',
  },
];

/** Whether SKIPS lists this test for this backend (use as `it.skipIf(skipped(s, name))(name, …)`). */
export const skipped = (s: StoreUnderTest, test: string): boolean =>
  SKIPS.some((k) => k.test === test && k.backend === s.backend.name);

export interface StoreUnderTest {
  readonly backend: Backend;
  /** The test's database (for raw assertions with withRawConnection / queryRows). */
  readonly db: TestDb;
  readonly store: Store;
  /** Another store on its own connection(s) to the same database, as another process has; closed after the test. */
  open(): Store;
}

/** describe.each over the backends: `body` gets a fresh migrated store per test through `s.store`. */
export function describeEachStore(title: string, body: (s: StoreUnderTest) => void): void {
  describe.each(backendsForSuite())(`${title} ($name)`, (backend) => {
    let db: TestDb | undefined;
    const stores: Store[] = [];
    beforeEach(async () => {
      db = await backend.create();
      const store = db.open();
      stores.push(store);
      await store.migrate();
    });
    afterEach(async () => {
      for (const s of stores.splice(0).reverse()) await s.close();
      await db?.drop();
      db = undefined;
    });
    const current = (): TestDb => {
      if (!db) throw new Error('the store is only there inside a test');
      return db;
    };
    body({
      backend,
      get db() {
        return current();
      },
      get store() {
        current();
        return stores[0]!;
      },
      open() {
        const s = current().open();
        stores.push(s);
        return s;
      },
    });
  });
}

/** A fixed start of time: the store takes every time from its caller, so tests need no clock. */
export const T0 = new Date('2030-01-01T00:00:00.000Z');
/** T0 plus seconds. */
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** A queued job as the service would write it; `over` sets any field (id follows createdAt unless given). */
export function newJob(over: Partial<JobRecord> = {}): JobRecord {
  const createdAt = over.createdAt ?? T0;
  const input = { type: 'test.job', priority: 0, payload: {}, requiredCapabilities: [], queue: 'default' };
  return { ...newJobRecord(input, { now: createdAt, runAt: createdAt, maxAttempts: 3 }), ...over };
}

export const ENQUEUED: NewEvent = { level: 'info', kind: 'enqueued' };

/** Inserts a new job (it must not be deduplicated) and returns it as stored. */
export async function insertJob(store: Store, over: Partial<JobRecord> = {}): Promise<JobRecord> {
  const { job, inserted } = await store.jobInsert({ job: newJob(over), event: ENQUEUED });
  if (!inserted) throw new Error(`job ${job.id} was deduplicated`);
  return job;
}

export type ClaimParams = Parameters<Store['jobClaim']>[0];

let tokens = 0;
/** jobClaim's parameters for "any job, no capabilities, at T0, not guarded by the pause" unless `over` says otherwise. */
export function claimParams(over: Partial<ClaimParams> = {}): ClaimParams {
  const now = over.now ?? T0;
  return {
    now,
    queue: 'default',
    workerId: 'worker',
    types: undefined,
    capabilities: [],
    leaseToken: `token-${++tokens}`,
    leaseExpiresAt: new Date(now.getTime() + 60_000),
    leaseSeconds: 60,
    unlessPaused: false,
    event: { level: 'info', kind: 'claimed' },
    ...over,
  };
}

/** Claims until the store has nothing more to give; returns the ids in claim order. */
export async function claimAll(store: Store, over: Partial<ClaimParams> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const { job } = await store.jobClaim(claimParams(over));
    if (!job) return ids;
    ids.push(job.id);
  }
}

/** Puts a job into `running` as a claim would (through jobUpdate, so no other job can be taken instead). */
export async function runningJob(store: Store, over: Partial<JobRecord> = {}): Promise<JobRecord> {
  const job = await insertJob(store, over);
  const running = await store.jobUpdate({
    id: job.id,
    expect: { status: 'queued' },
    set: {
      status: 'running',
      attempt: job.attempt + 1,
      claimedBy: 'worker',
      leaseToken: `lease-${job.id}`,
      leaseExpiresAt: at(60),
      leaseSeconds: 60,
      startedAt: T0,
    },
    now: T0,
    event: { level: 'info', kind: 'claimed' },
  });
  if (!running) throw new Error(`could not start job ${job.id}`);
  return running;
}

/** The next pause state and its audit row, for pauseStateSet: paused (drain) or resumed, at `when`. */
export function pauseNext(paused: boolean, when: Date = T0) {
  return {
    next: {
      paused,
      mode: paused ? ('drain' as const) : null,
      reason: paused ? 'maintenance' : null,
      requestedBy: paused ? 'ops' : null,
      requestedAt: paused ? when : null,
      updatedAt: when,
    },
    audit: {
      action: paused ? ('pause' as const) : ('resume' as const),
      mode: paused ? ('drain' as const) : null,
      reason: paused ? 'maintenance' : 'done',
      actor: 'ops',
      at: when.toISOString(),
    },
  };
}
