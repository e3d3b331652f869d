// Time that decides leases comes from one place. On PostgreSQL the database clock is the reference
// (many machines must agree), so the local clock is corrected by the measured offset.
import type { Store } from '../store/store.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const RECALIBRATE_MS = 5 * 60_000;
// Until the first calibration succeeds (the database may be down at start), try this often.
const FIRST_CALIBRATION_RETRY_MS = 1_000;
const CALIBRATION_SAMPLES = 3;

export interface DatabaseClock extends Clock {
  /** Measures the offset now; rejects when the database cannot be reached. */
  calibrate(): Promise<void>;
  stop(): void;
}

/**
 * A clock that follows the database's clock. It starts on the local clock and calibrates in the
 * background (retrying until the database answers), so that a server can start during an outage;
 * call calibrate() to wait for the first measurement.
 */
export function databaseClock(store: Store): DatabaseClock {
  let offsetMs = 0;
  let calibrated = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  // The offset is the database time minus the midpoint of the round trip, so it is only as good as
  // the round trip is short. A first query also opens the connection (and on PostgreSQL loads the
  // driver), which would put this clock tens of milliseconds ahead of a peer's: a job it enqueues
  // would not yet be due for a claimer in another process. The shortest of a few samples wins.
  const calibrate = async () => {
    let best: { rtt: number; offset: number } | null = null;
    for (let i = 0; i < CALIBRATION_SAMPLES; i++) {
      const before = performance.now();
      const wall = Date.now();
      const db = (await store.dbNow()).getTime();
      const rtt = performance.now() - before;
      if (!best || rtt < best.rtt) best = { rtt, offset: db - (wall + rtt / 2) };
    }
    offsetMs = best!.offset;
    calibrated = true;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () =>
        void calibrate()
          .catch(() => {})
          .finally(schedule),
      calibrated ? RECALIBRATE_MS : FIRST_CALIBRATION_RETRY_MS,
    );
    timer.unref();
  };
  void calibrate()
    .catch(() => {})
    .finally(schedule);
  return {
    now: () => new Date(Date.now() + offsetMs),
    calibrate,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
