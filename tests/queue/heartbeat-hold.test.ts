// The wait between beats of a held heartbeat (issue 13 review): a beat slower than half a short
// lease leaves no time before the next renewal, and the hold must not then beat back to back.
import { describe, expect, it } from 'vitest';
import { holdWaitMs, MIN_BEAT_GAP_MS } from '../../src/queue/heartbeat-hold.js';

describe('held heartbeat: the wait before the next look', () => {
  it('waits until the renewal when it is the first thing due', () => {
    expect(holdWaitMs(30_000, 400)).toBe(400);
  });

  it('never waits less than the minimum gap for a renewal that is due now or overdue', () => {
    for (const renewIn of [0, -1, -600, 50]) {
      expect(holdWaitMs(30_000, renewIn), `renewal in ${renewIn} ms`).toBe(MIN_BEAT_GAP_MS);
    }
    expect(MIN_BEAT_GAP_MS).toBeGreaterThanOrEqual(100);
  });

  it('still ends at the deadline, and re-checks at least once a second', () => {
    expect(holdWaitMs(30, -600)).toBe(30);
    expect(holdWaitMs(30_000, 20_000)).toBe(1_000);
  });
});
