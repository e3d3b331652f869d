// Retry backoff (SPEC §5, §15): 15 s · 2^(attempt−1), jitter ±20 %, capped at 600 s.
import { describe, expect, it } from 'vitest';
import { backoffSeconds, type BackoffSettings } from '../../src/queue/backoff.js';
import { DEFAULT_SETTINGS } from '../../src/queue/settings.js';

const DEFAULTS: BackoffSettings = DEFAULT_SETTINGS.backoff;
const MIDDLE = () => 0.5;
const LOWEST = () => 0;
const HIGHEST = () => 1 - Number.EPSILON;

describe('backoffSeconds', () => {
  it('has the documented defaults', () => {
    expect(DEFAULTS).toEqual({ baseSeconds: 15, capSeconds: 600, jitter: 0.2 });
  });

  it('doubles with each attempt, starting at the base', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffSeconds(a, DEFAULTS, MIDDLE))).toEqual([
      15, 30, 60, 120, 240, 480,
    ]);
  });

  it('jitters by at most ±20 %', () => {
    expect(backoffSeconds(1, DEFAULTS, LOWEST)).toBeCloseTo(12, 9);
    expect(backoffSeconds(1, DEFAULTS, HIGHEST)).toBeCloseTo(18, 9);
    expect(backoffSeconds(3, DEFAULTS, LOWEST)).toBeCloseTo(48, 9);
    expect(backoffSeconds(3, DEFAULTS, HIGHEST)).toBeCloseTo(72, 9);
  });

  it('stays within the bounds for any random value', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const raw = 15 * 2 ** (attempt - 1);
      for (let i = 0; i < 200; i++) {
        const d = backoffSeconds(attempt, DEFAULTS);
        expect(d).toBeGreaterThanOrEqual(Math.min(600, raw * 0.8));
        expect(d).toBeLessThanOrEqual(Math.min(600, raw * 1.2));
      }
    }
  });

  it('is capped at 600 s, jitter included', () => {
    // Attempt 6 can jitter up to 576 s: still under the cap.
    expect(backoffSeconds(6, DEFAULTS, HIGHEST)).toBeCloseTo(576, 6);
    // Attempt 7 is 960 s ± 20 %: always the cap.
    for (const random of [LOWEST, MIDDLE, HIGHEST]) expect(backoffSeconds(7, DEFAULTS, random)).toBe(600);
    // Far beyond: still the cap, never Infinity or NaN.
    expect(backoffSeconds(5_000, DEFAULTS, MIDDLE)).toBe(600);
  });

  it('treats attempt 0 (and below) like the first attempt', () => {
    expect(backoffSeconds(0, DEFAULTS, MIDDLE)).toBe(15);
    expect(backoffSeconds(-3, DEFAULTS, MIDDLE)).toBe(15);
  });

  it('follows configured base, cap and jitter', () => {
    const s: BackoffSettings = { baseSeconds: 2, capSeconds: 10, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((a) => backoffSeconds(a, s, Math.random))).toEqual([2, 4, 8, 10, 10]);
    expect(backoffSeconds(1, { baseSeconds: 0, capSeconds: 10, jitter: 0.2 }, HIGHEST)).toBe(0);
    expect(backoffSeconds(1, { baseSeconds: 10, capSeconds: 100, jitter: 0.5 }, LOWEST)).toBeCloseTo(5, 9);
  });
});
