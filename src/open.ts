// Composition root: settings -> store (migrated on first use) -> clock -> service. Every surface
// starts here; none constructs a store or decides a rule itself.
import { databaseClock, type Clock } from './queue/clock.js';
import { QueueService } from './queue/service.js';
import type { Settings } from './settings/types.js';
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

export async function openQueue(
  settings: Pick<Settings, 'database' | 'queue'>,
  opts: OpenQueueOptions = {},
): Promise<OpenQueue> {
  const store = openStore(settings.database.target, { migrate: opts.migrate !== false });
  const dbClock = opts.clock ? null : databaseClock(store);
  const service = new QueueService({ store, clock: opts.clock ?? dbClock!, settings: settings.queue });
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

/**
 * The store alone, not migrated, for `agent-queue migrate`: it applies the migrations itself and
 * reports each one (opening a queue would apply them silently first). Close it when done.
 */
export function openForMigration(settings: Pick<Settings, 'database'>): Store {
  return openStore(settings.database.target);
}
