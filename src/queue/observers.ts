// Who hears of job activity in this process: every write that appends a timeline event (enqueue,
// claim, each transition) is announced after it committed. Metrics count from it and the REST
// event stream wakes on it; neither wraps a surface, so every surface's calls are seen once.
import type { JobRecord } from '../store/store.js';

export interface JobActivity {
  /** The job as written. */
  job: JobRecord;
  /** The timeline event's kind (`enqueued`, `claimed`, `completed`, `lease_expired`, …). */
  kind: string;
  /** The event's data (e.g. `endedBy` on the events that end an attempt). */
  data: unknown;
  at: Date;
}

export type QueueObserver = (activity: JobActivity) => void;

export class Observers {
  private readonly observers = new Set<QueueObserver>();

  /** Adds an observer; returns its removal. */
  add(observer: QueueObserver): () => void {
    this.observers.add(observer);
    return () => void this.observers.delete(observer);
  }

  emit(activity: JobActivity): void {
    for (const o of this.observers) {
      // An observer's bug must not turn a committed write into an error for the caller.
      try {
        o(activity);
      } catch {
        // ignored on purpose: the write stands
      }
    }
  }
}
