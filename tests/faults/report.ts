// The figures every fault scenario prints and asserts: one line per scenario and backend, so CI
// logs and docs/reliability.md show what was injected and what came out of it.
import { expect } from 'vitest';

export interface FaultFigures {
  /** Jobs the scenario enqueued. */
  jobs: number;
  /** Faults injected (kills, restarts, dropped connections, hostile calls, …). */
  faults: number;
  /** Jobs whose work was accepted as finished more than once. */
  duplicates: number;
  /** Jobs that vanished or ended in a state the scenario did not allow. */
  lost: number;
  /** Jobs still queued or running when the scenario had settled. */
  stuck: number;
  /** Processes that died without the scenario killing them. */
  crashes: number;
  /** Anything else worth a number (unavailable answers, recoveries, …). */
  extra?: Record<string, number | string>;
}

export function reportFaults(scenario: string, backend: string, f: FaultFigures): void {
  const extra = Object.entries(f.extra ?? {})
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
  process.stdout.write(
    `faults: ${scenario} backend=${backend} jobs=${f.jobs} faults=${f.faults} duplicates=${f.duplicates} ` +
      `lost=${f.lost} stuck=${f.stuck} crashes=${f.crashes}${extra}\n`,
  );
}

/** Prints the figures, then requires the outcome every scenario promises: nothing duplicated, lost, stuck or crashed. */
export function expectNoDamage(scenario: string, backend: string, f: FaultFigures): void {
  reportFaults(scenario, backend, f);
  expect({ duplicates: f.duplicates, lost: f.lost, stuck: f.stuck, crashes: f.crashes }).toEqual({
    duplicates: 0,
    lost: 0,
    stuck: 0,
    crashes: 0,
  });
}
