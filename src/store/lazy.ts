// Opens the database on first use, not at construction, so that a long-lived server (MCP, serve,
// worker) can start while its database is down or misconfigured. Until an attempt succeeds every
// call answers the coded reason (unavailable, invalid_argument); once the cause is fixed, the next
// call opens it. Hosts start an MCP server once and never retry: it must outlive the outage.
import type { Store } from './store.js';

/** After a failed attempt, calls fail fast with the same reason for this long before trying again. */
const RETRY_AFTER_MS = 1_000;

export interface LazyStoreOptions {
  dialect: Store['dialect'];
  /** Creates the real store (may throw or reject: file unwritable, bad URL, …). */
  create: () => Store | Promise<Store>;
  /** Migrate as part of opening (long-lived surfaces and CLI commands); tests migrate explicitly. */
  migrate: boolean;
}

export function lazyStore(opts: LazyStoreOptions): Store {
  let inner: Store | null = null;
  let attempt: Promise<Store> | null = null;
  let failure: { err: unknown; at: number } | null = null;
  let closed = false;

  const open = async (): Promise<Store> => {
    const s = await opts.create();
    try {
      // One round trip proves the connection (and the login) even when there is nothing to migrate.
      if (opts.migrate) await s.migrate();
      else await s.dbNow();
      return s;
    } catch (err) {
      await s.close().catch(() => {});
      throw err;
    }
  };

  const ready = (): Promise<Store> => {
    if (inner) return Promise.resolve(inner);
    if (closed) return Promise.reject(new Error('the store is closed'));
    // While the database is known to be away, answer at once instead of queueing behind an attempt.
    // (Rejected from a macrotask: a caller retrying in a loop must not starve the attempt's own I/O.)
    if (failure && (attempt || performance.now() - failure.at < RETRY_AFTER_MS)) {
      const { err } = failure;
      return new Promise((_, reject) => setImmediate(() => reject(err)));
    }
    attempt ??= open().then(
      (s) => {
        attempt = null;
        failure = null;
        if (closed) {
          void s.close();
          throw new Error('the store is closed');
        }
        return (inner = s);
      },
      (err: unknown) => {
        attempt = null;
        failure = { err, at: performance.now() };
        throw err;
      },
    );
    return attempt;
  };

  const through =
    <K extends keyof Store>(name: K) =>
    async (...args: unknown[]) => {
      const s = await ready();
      return (s[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };

  const store = {
    dialect: opts.dialect,
    async connect() {
      await ready();
    },
    async migrate() {
      // An explicit migrate must run even if opening did not (tests, `agent-queue migrate`).
      return (await ready()).migrate();
    },
    async close() {
      closed = true;
      // An attempt still in flight is not awaited (a database that accepts but never answers would
      // hold shutdown up to the connect timeout): its own handler closes what it opens late.
      const s = inner;
      inner = null;
      await s?.close();
    },
  } as Record<string, unknown>;
  for (const name of Object.keys(DATA_METHODS) as DataMethod[]) store[name] = through(name);
  return store as unknown as Store;
}

// Every data method of Store, each passed through once the store is open. A Record, so that a
// method added to Store without being listed here is a type error.
type DataMethod = Exclude<keyof Store, 'dialect' | 'connect' | 'migrate' | 'close'>;
const DATA_METHODS: Record<DataMethod, true> = {
  dbNow: true,
  jobInsert: true,
  jobClaim: true,
  jobClaimMany: true,
  jobEndMany: true,
  jobUpdate: true,
  jobEnd: true,
  jobRequeueWithDependencies: true,
  jobsInsertWithDependencies: true,
  jobDependencies: true,
  jobGet: true,
  jobGetByTaskId: true,
  jobAwait: true,
  jobList: true,
  jobsExpiredList: true,
  jobCounts: true,
  jobTally: true,
  jobNextRunAt: true,
  jobsPrune: true,
  eventsList: true,
  pauseStateGet: true,
  pauseStateSet: true,
  queuePauseGet: true,
  queuePauseSet: true,
  controlEventsList: true,
  tokenInsert: true,
  tokenByHash: true,
  tokenList: true,
  tokenAnyActive: true,
  tokenRevoke: true,
  tokenTouch: true,
  scheduleInsert: true,
  scheduleList: true,
  scheduleRemove: true,
  schedulesDue: true,
  scheduleFire: true,
  keyLimitSet: true,
  keyLimitRemove: true,
  keyLimitList: true,
  notify: true,
  subscribe: true,
};
