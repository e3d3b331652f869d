// The database clock: a slow first round trip (opening the connection, loading the driver) must not
// skew it, or a job enqueued by one process is not yet due for a claimer in another.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { databaseClock } from '../../src/queue/clock.js';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';

describe.each(backendsForSuite())('database clock ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('calibrates on the shortest round trip, not on a slow first one', async () => {
    let calls = 0;
    let answered = 0;
    // The first query takes 300 ms before it reaches the database, as a cold connection can.
    const slowFirst = new Proxy(q.store, {
      get: (store, key, receiver) =>
        key === 'dbNow'
          ? async () => {
              if (calls++ === 0) await sleep(300);
              const now = await store.dbNow();
              answered++;
              return now;
            }
          : Reflect.get(store, key, receiver),
    });
    const clock = databaseClock(slowFirst);
    try {
      await clock.calibrate();
      // The calibration started in the background (the one with the slow sample) has finished too:
      // three samples each, then the offset is written on the next turn.
      while (answered < 6) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      // The database runs on this machine: its clock and ours agree to within a few ms. Calibrating
      // on the slow sample alone would put this clock about 150 ms ahead.
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(40);
    } finally {
      clock.stop();
    }
  });
});
