// Cron expressions, read by croner (a maintained parser: 5 fields, or 6 with seconds first; names
// like MON and JAN; L and # ; time zones from the platform's IANA database). Only this file knows it.
import { Cron } from 'croner';
import { QueueError } from '../core/errors.js';

/** How many missed ticks a catch-up counts before it stops counting (it fires once either way). */
const MAX_COUNTED = 1_000;

export interface CronSchedule {
  /** The first tick strictly after `after`, or null when the expression has no further tick. */
  next(after: Date): Date | null;
  /** The newest tick at or before `at`, or null. */
  latest(at: Date): Date | null;
  /** Ticks in (after, until], counted up to a cap. */
  count(after: Date, until: Date): number;
}

/** Parses and checks an expression in a time zone; a bad one is `invalid_argument` saying why. */
export function cronSchedule(expression: string, timezone: string): CronSchedule {
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
    // A bad time zone shows only once a time is computed.
    cron.nextRun(new Date());
  } catch (err) {
    const why = (err instanceof Error ? err.message.replace(/^Cron\w*: /, '') : String(err)).replace(
      /\.$/,
      '',
    );
    throw new QueueError(
      'invalid_argument',
      `Invalid schedule: cron "${expression}" in time zone "${timezone}" cannot be used (${why}). ` +
        'Use five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 daily, ' +
        'or six with seconds first, and an IANA time zone such as "UTC" or "Europe/Berlin".',
    );
  }
  const next = (after: Date) => cron.nextRun(after);
  return {
    next,
    latest: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
    count(after, until) {
      let n = 0;
      for (let t = next(after); t && t <= until && n < MAX_COUNTED; t = next(t)) n++;
      return n;
    },
  };
}
