// Composition root: config -> store (migrated on first use) -> clock -> service. Every surface
// starts here; none constructs a store or decides a rule itself.
import type { Config } from './config.js';
import { databaseClock, type Clock } from './queue/clock.js';
import { QueueService } from './queue/service.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

export interface OpenQueue {
  service: QueueService;
  store: Store;
  close(): Promise<void>;
}

export interface OpenQueueOptions {
  /** Apply pending migrations when the database is opened (default true). */
  migrate?: boolean;
  clock?: Clock;
  /**
   * Return at once even when the database cannot be opened yet: every call then answers the coded
   * reason until the database is reachable (long-lived servers). Default false: open now and throw
   * the coded reason (CLI commands).
   */
  lazy?: boolean;
}

export async function openQueue(config: Config, opts: OpenQueueOptions = {}): Promise<OpenQueue> {
  const store = openStore(config.database, { migrate: opts.migrate !== false });
  const dbClock = opts.clock ? null : databaseClock(store);
  const service = new QueueService({ store, clock: opts.clock ?? dbClock!, settings: config.settings });
  const queue: OpenQueue = {
    service,
    store,
    async close() {
      dbClock?.stop();
      await service.close();
      await store.close();
    },
  };
  if (opts.lazy) return queue;
  try {
    await store.connect();
    await dbClock?.calibrate();
    return queue;
  } catch (err) {
    await queue.close().catch(() => {});
    throw err;
  }
}
