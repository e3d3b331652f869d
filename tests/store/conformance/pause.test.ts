// The fleet pause row: pauseStateSet is a compare-and-set on `version` that appends its audit row in
// the same transaction; controlEventsList reads the audit newest first.
import { expect, it } from 'vitest';
import { snapshotTables } from '../../helpers/tables.js';
import { at, describeEachStore, pauseNext } from './each-store.js';

describeEachStore('store: pause state', (s) => {
  it('starts not paused at version 0', async () => {
    expect(await s.store.pauseStateGet()).toMatchObject({
      paused: false,
      mode: null,
      reason: null,
      requestedBy: null,
      requestedAt: null,
      version: 0,
    });
    expect(await s.store.controlEventsList({ limit: 10 })).toEqual([]);
  });

  it('sets the next state with version + 1 and appends the audit row', async () => {
    const { next, audit } = pauseNext(true, at(1));
    const set = await s.store.pauseStateSet({ expectVersion: 0, next, audit });
    expect(set).toEqual({ ...next, version: 1 });
    expect(await s.store.pauseStateGet()).toEqual(set);
    expect(await s.store.controlEventsList({ limit: 10 })).toEqual([{ id: expect.any(Number), ...audit }]);
  });

  it('a stale version changes nothing and appends no audit row', async () => {
    await s.store.pauseStateSet({ expectVersion: 0, ...pauseNext(true, at(1)) });
    const before = await snapshotTables(s.db);
    for (const expectVersion of [0, 2]) {
      expect(await s.store.pauseStateSet({ expectVersion, ...pauseNext(false, at(2)) })).toBeNull();
    }
    expect(await snapshotTables(s.db)).toEqual(before);
  });

  it('an audit row that cannot be written undoes the state change', async () => {
    const { next, audit } = pauseNext(true, at(1));
    const before = await snapshotTables(s.db);
    // The audit action is checked by the database.
    const bad = { ...audit, action: 'halt' as 'pause' };
    await expect(s.store.pauseStateSet({ expectVersion: 0, next, audit: bad })).rejects.toThrow();
    expect(await snapshotTables(s.db)).toEqual(before);
  });

  it('controlEventsList: newest first, up to limit', async () => {
    for (let v = 0; v < 4; v++) {
      const { next, audit } = pauseNext(v % 2 === 0, at(v));
      await s.store.pauseStateSet({ expectVersion: v, next, audit: { ...audit, reason: `step ${v}` } });
    }
    const all = await s.store.controlEventsList({ limit: 10 });
    expect(all.map((e) => [e.action, e.reason, e.at])).toEqual([
      ['resume', 'step 3', at(3).toISOString()],
      ['pause', 'step 2', at(2).toISOString()],
      ['resume', 'step 1', at(1).toISOString()],
      ['pause', 'step 0', at(0).toISOString()],
    ]);
    expect(await s.store.controlEventsList({ limit: 2 })).toEqual(all.slice(0, 2));
    expect((await s.store.pauseStateGet()).version).toBe(4);
  });
});
