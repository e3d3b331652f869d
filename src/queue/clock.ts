// Time that decides leases comes from one place. On PostgreSQL the database clock is the reference
// (many machines must agree), so the local clock is corrected by the measured offset.
import type { Store } from '../store/store.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const RECALIBRATE_MS = 5 * 60_000;

/** A clock that follows the database's clock; call stop() when done. */
export async function databaseClock(store: Store): Promise<Clock & { stop(): void }> {
  let offsetMs = 0;
  const calibrate = async () => {
    const before = Date.now();
    const db = (await store.dbNow()).getTime();
    const after = Date.now();
    offsetMs = db - (before + after) / 2;
  };
  await calibrate();
  const timer = setInterval(() => void calibrate().catch(() => {}), RECALIBRATE_MS);
  timer.unref();
  return { now: () => new Date(Date.now() + offsetMs), stop: () => clearInterval(timer) };
}
