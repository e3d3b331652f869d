// Background upkeep for long-lived processes (MCP server, serve, worker): the lease-expiry sweep
// about every second (SPEC §6) and retention pruning about hourly (SPEC §15). Any number of
// processes may run it at once; every step is idempotent.
import type { QueueService } from './service.js';

export interface SweeperOptions {
  intervalMs?: number;
  retentionDays?: number;
  pruneEveryMs?: number;
  /** Called after a tick that reached the database, so a caller can notice recovery. */
  onOk?: () => void;
  onError?: (err: unknown) => void;
}

export function startSweeper(service: QueueService, opts: SweeperOptions = {}): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 1_000;
  const pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
  let lastPrune = 0;
  let running: Promise<void> | null = null;
  let stopped = false;
  // A large prune stops between batches instead of holding up shutdown.
  const stopping = new AbortController();

  const tick = async () => {
    try {
      await service.sweepExpired();
      if (opts.retentionDays && Date.now() - lastPrune >= pruneEveryMs) {
        lastPrune = Date.now();
        await service.pruneFinished(opts.retentionDays, { signal: stopping.signal });
      }
      opts.onOk?.();
    } catch (err) {
      opts.onError?.(err);
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick().finally(() => {
      running = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
