// Composition root: config -> store (migrated) -> clock -> service. Every surface starts here.
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

export async function openQueue(
  config: Config,
  opts: { migrate?: boolean; clock?: Clock } = {},
): Promise<OpenQueue> {
  const store = openStore(config.database);
  try {
    if (opts.migrate !== false) await store.migrate();
    const dbClock = opts.clock ? null : await databaseClock(store);
    const service = new QueueService({ store, clock: opts.clock ?? dbClock!, settings: config.settings });
    return {
      service,
      store,
      async close() {
        dbClock?.stop();
        await service.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
