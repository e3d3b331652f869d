// What a long-lived command (mcp, serve) shares: the queue plus its sweeper while alive, and one
// orderly shutdown on SIGTERM/SIGINT or when the surface ends, bounded so the process never lingers.
import type { Logger } from '../log.js';
import { openQueue, type OpenQueue } from '../open.js';
import { isQueueError } from '../core/errors.js';
import type { Settings } from '../settings/types.js';
import { startSweeper } from '../queue/maintenance.js';

// Hosts expect the process gone quickly after they close it; a stuck close must not keep it.
const FORCE_EXIT_MS = 1_500;

/** One orderly shutdown of a long-lived command, on SIGTERM/SIGINT or when its surface ends. */
export interface Lifecycle {
  /** Registers how to stop the surface (server, transport); called at shutdown before the database closes. */
  onShutdown(stop: () => Promise<void>): void;
  /** Once: stops the surface, the sweeper, then closes the database. Later calls return the same promise. */
  shutdown(why: string): Promise<void>;
}

export interface Running extends Lifecycle {
  queue: OpenQueue;
}

export async function startRunning(settings: Settings, log: Logger): Promise<Running> {
  // Lazy: a host starts its MCP server once and never retries, so the server must come up even
  // while the database is down or misconfigured, answer every call with the reason, and connect
  // by itself when it can (the sweeper's tick and every call try again).
  const queue = await openQueue(settings, { lazy: true });
  const health = databaseHealth(log);
  // A first connect still under way when a short session closes the store fails with "the store is
  // closed": that is the shutdown, not a database problem worth a warning.
  let closing = false;
  queue.store.connect().then(health.ok, (err: unknown) => closing || health.failed(err));
  const sweeper = startSweeper(queue.service, {
    retentionDays: settings.queue.retentionDays,
    onOk: health.ok,
    onError: health.failed,
  });
  const lifecycle = startLifecycle(log, async () => {
    await sweeper.stop();
    closing = true;
    await queue.close().catch((err: unknown) => log.warn({ err }, 'closing the database failed'));
  });
  return { queue, ...lifecycle };
}

/**
 * The shutdown alone, for a command without a database of its own (`mcp --server`): `last` runs
 * after the surface stopped (the database closes there).
 */
export function startLifecycle(log: Logger, last: () => Promise<void> = async () => {}): Lifecycle {
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
      await last();
    }));
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { shutdown, onShutdown: (stop) => void stops.push(stop) };
}

/**
 * Logs the database going away and coming back once each, and any other failure of the background
 * tick once per distinct message, not on every tick (an outage would otherwise print a line a second).
 */
export function databaseHealth(log: Logger): { ok(): void; failed(err: unknown): void } {
  let failing: { message: string; database: boolean } | null = null;
  return {
    ok() {
      if (failing === null) return;
      log.info(failing.database ? 'database reachable again' : 'background sweep works again');
      failing = null;
    },
    failed(err) {
      const message = err instanceof Error ? err.message : String(err);
      if (failing?.message === message) return;
      const code = isQueueError(err) ? err.code : null;
      const database = code === 'unavailable' || code === 'invalid_argument';
      failing = { message, database };
      if (database)
        log.warn({ code }, `database not usable; every call answers [${code}] until it is: ${message}`);
      else log.warn({ err }, 'background sweep failed');
    },
  };
}
