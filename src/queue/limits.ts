// Concurrency-key limits (SPEC §16): how many jobs sharing a key may run at once. The claim
// enforces them (store/claim.ts); this is the operator's side: set, remove, list. A limit that
// rises wakes the claimers that found its key full, so they do not sleep until their fallback.
import type { KeyLimitRecord, KeyUsage, Store } from '../store/store.js';
import { DEFAULT_KEY_LIMIT } from '../store/claim.js';
import type { Clock } from './clock.js';
import { parseInput } from './validate.js';
import { limitRemoveInput, limitSetInput, type LimitRemoveInput, type LimitSetInput } from './schemas.js';

export { DEFAULT_KEY_LIMIT };

/** A key's limit as every surface shows it. */
export interface KeyLimitView {
  key: string;
  /** Most of its jobs running at once; 0 holds the key. */
  max: number;
  /** No limit of its own: `max` is the default. */
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** A key in `limit list`: its limit and its unfinished jobs. */
export interface KeyUsageView extends KeyLimitView {
  running: number;
  queued: number;
}

export interface LimitChange {
  limit: KeyLimitView;
  /** The limit in force before the call (the default when it had none). */
  previousMax: number;
}

export interface LimitList {
  /** The limit of every key not listed with one of its own. */
  defaultMax: number;
  /** Keys with a limit of their own or with queued or running jobs, by key. */
  keys: KeyUsageView[];
}

const view = (key: string, limit: KeyLimitRecord | null): KeyLimitView => ({
  key,
  max: limit?.maxRunning ?? DEFAULT_KEY_LIMIT,
  isDefault: limit === null,
  updatedBy: limit?.updatedBy ?? null,
  updatedAt: limit?.updatedAt.toISOString() ?? null,
});

const usageView = (u: KeyUsage): KeyUsageView => ({
  ...view(u.key, u.limit),
  running: u.running,
  queued: u.queued,
});

export class ConcurrencyLimits {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Sets a key's limit. Lowering it stops no running job: the key just starts none until below it. */
  async set(raw: LimitSetInput): Promise<LimitChange> {
    const input = parseInput(limitSetInput, raw, 'limit set');
    const { limit, previous } = await this.store.keyLimitSet({
      key: input.key,
      maxRunning: input.max,
      updatedBy: input.updatedBy ?? null,
      now: this.clock.now(),
    });
    const previousMax = previous ?? DEFAULT_KEY_LIMIT;
    await this.wakeIfRaised(input.key, previousMax, limit.maxRunning);
    return { limit: view(input.key, limit), previousMax };
  }

  /** Removes a key's own limit: the default applies again. Removing none is a no-op. */
  async remove(raw: LimitRemoveInput): Promise<LimitChange & { removed: boolean }> {
    const input = parseInput(limitRemoveInput, raw, 'limit remove');
    const removed = await this.store.keyLimitRemove({ key: input.key });
    const previousMax = removed?.maxRunning ?? DEFAULT_KEY_LIMIT;
    await this.wakeIfRaised(input.key, previousMax, DEFAULT_KEY_LIMIT);
    return { limit: view(input.key, null), previousMax, removed: removed !== null };
  }

  async list(): Promise<LimitList> {
    const keys = await this.store.keyLimitList();
    return { defaultMax: DEFAULT_KEY_LIMIT, keys: keys.map(usageView) };
  }

  /** Best effort, like every wake-up: claimers re-check on their own within a second anyway. */
  private async wakeIfRaised(key: string, before: number, after: number): Promise<void> {
    if (after > before) await this.store.notify({ kind: 'key_room', key }).catch(() => {});
  }
}
