import type { Clock } from '../../src/queue/clock.js';

/** A clock that moves only when told to: backoff, runAt and lease expiry are tested without sleeps. */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += Math.round(seconds * 1000);
  }
}
