// What every queue operation works with. The QueueService builds one and hands it to the
// operation modules (enqueue, claim, lease, operator, reads, maintenance); of those only
// Maintenance keeps state (when it last swept).
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { PauseControl } from './control.js';
import type { QueueSettings } from './settings.js';
import type { Observers } from './observers.js';
import type { Wakeups } from './wakeups.js';

export interface QueueContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly settings: QueueSettings;
  /** Source of retry jitter; tests pass a fixed one. */
  readonly random: () => number;
  readonly control: PauseControl;
  readonly wakeups: Wakeups;
  /** Told of every job write with a timeline event, after it committed (metrics, event streams). */
  readonly observers: Observers;
  /** Runs the lease-expiry sweep if it has not run for a while (claims trigger it). */
  readonly sweepIfDue: () => Promise<void>;
}
