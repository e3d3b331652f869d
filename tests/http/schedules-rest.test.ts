// Recurring jobs over REST through the real server, on both backends: add, list, remove, what a bad
// call is told, and that only operators change schedules (the role matrix: auth-rest.test.ts).
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

describe.each(backendsForSuite())('REST schedules ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  const nightly = { name: 'nightly', cron: '0 3 * * *', type: 'code.audit', payload: { repo: 'acme/api' } };

  it('adds a schedule (201), lists it, refuses the name twice, removes it', async () => {
    const added = await h.call('POST', '/api/schedules', { ...nightly, timezone: 'Europe/Berlin' });
    expect(added.status).toBe(201);
    expect(added.body.schedule).toMatchObject({
      name: 'nightly',
      timezone: 'Europe/Berlin',
      queue: 'default',
    });
    const list = await h.call('GET', '/api/schedules');
    expect(list.status).toBe(200);
    expect(list.body.schedules).toEqual([
      expect.objectContaining({ name: 'nightly', payload: { repo: 'acme/api' } }),
    ]);
    const again = await h.call('POST', '/api/schedules', nightly);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('job_state_conflict');
    const removed = await h.call('DELETE', '/api/schedules/nightly');
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ removed: 'nightly' });
    expect((await h.call('DELETE', '/api/schedules/nightly')).status).toBe(404);
    expect((await h.call('GET', '/api/schedules')).body.schedules).toEqual([]);
  });

  it('tells a bad call what to fix and stores nothing', async () => {
    const bad = await h.call('POST', '/api/schedules', { ...nightly, cron: 'daily' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_argument' });
    expect(bad.body.error.message).toContain('"0 3 * * *"');
    const zone = await h.call('POST', '/api/schedules', { ...nightly, timezone: 'Nowhere/X' });
    expect(zone.status).toBe(400);
    expect((await h.call('GET', '/api/schedules')).body.schedules).toEqual([]);
  });

  it('lets only operators change schedules; the token is the recorded actor', async () => {
    const token = async (role: 'producer' | 'operator') => ({
      authorization: `Bearer ${(await h.q.service.tokens.create({ name: `t-${role}`, role })).token}`,
    });
    const [producer, operator] = [await token('producer'), await token('operator')];
    expect((await h.call('POST', '/api/schedules', nightly, producer)).status).toBe(403);
    expect((await h.call('GET', '/api/schedules', undefined, producer)).status).toBe(200);
    const added = await h.call('POST', '/api/schedules', { ...nightly, createdBy: 'someone' }, operator);
    expect(added.status).toBe(201);
    expect(added.body.schedule.createdBy).toBe('t-operator');
  });
});
