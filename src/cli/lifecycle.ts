// What a long-lived command (mcp, serve) shares: the queue plus its sweeper while alive, and one
// orderly shutdown on SIGTERM/SIGINT or when the surface ends, bounded so the process never lingers.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { openQueue, type OpenQueue } from '../open.js';
import { startSweeper } from '../queue/sweeper.js';

// Hosts expect the process gone quickly after they close it; a stuck close must not keep it.
const FORCE_EXIT_MS = 1_500;

export interface Running {
  queue: OpenQueue;
  /** Registers how to stop the surface (server, transport); called at shutdown before the database closes. */
  onShutdown(stop: () => Promise<void>): void;
  /** Once: stops the surface, the sweeper, then closes the database. Later calls return the same promise. */
  shutdown(why: string): Promise<void>;
}

export async function startRunning(config: Config, log: Logger): Promise<Running> {
  const queue = await openQueue(config);
  const sweeper = startSweeper(queue.service, {
    retentionDays: config.retentionDays,
    onError: (err) => log.warn({ err }, 'background sweep failed'),
  });
  const stops: (() => Promise<void>)[] = [];
  let closing: Promise<void> | null = null;
  // Deferred start: closing the surface may call shutdown again synchronously (e.g. transport onclose).
  const shutdown = (why: string): Promise<void> =>
    (closing ??= Promise.resolve().then(async () => {
      log.info({ why }, 'shutting down');
      setTimeout(() => {
        // A hung close is a bug worth seeing: exit non-zero so hosts and tests notice.
        log.warn('shutdown took too long; exiting');
        process.exit(1);
      }, FORCE_EXIT_MS).unref();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // Leases this process still holds simply expire and the jobs are retried elsewhere.
      for (const stop of stops.reverse()) {
        await stop().catch((err: unknown) => log.warn({ err }, 'closing the server failed'));
      }
      await sweeper.stop();
      await queue.close().catch((err: unknown) => log.warn({ err }, 'closing the database failed'));
    }));
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { queue, shutdown, onShutdown: (stop) => void stops.push(stop) };
}
