// Concurrency-key limits over REST through the real server, on both backends: PUT/GET/DELETE with a
// URL-encoded key (keys hold ':' and '/'), what a bad call is told, and that only operators change
// limits (the whole role matrix: auth-rest.test.ts).
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from './rest-harness.js';

const KEY = 'repo:acme/api';
const PATH = `/api/limits/${encodeURIComponent(KEY)}`;

describe.each(backendsForSuite())('REST limits ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  it('sets a limit under an encoded key, lists it with its jobs, removes it', async () => {
    expect(PATH).toBe('/api/limits/repo%3Aacme%2Fapi');
    const set = await h.call('PUT', PATH, { max: 2 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ limit: { key: KEY, max: 2, isDefault: false }, previousMax: 1 });
    await h.call('POST', '/api/queue/jobs', { type: 'deploy', concurrencyKey: KEY });
    await h.call('POST', '/api/queue/jobs', { type: 'deploy', concurrencyKey: KEY });
    await h.call('POST', '/api/queue/jobs', { type: 'deploy', concurrencyKey: KEY });
    for (let i = 0; i < 2; i++) {
      const claimed = await h.call('POST', '/api/queue/jobs/claim', { workerId: 'w' });
      expect(claimed.body.job).toMatchObject({ concurrencyKey: KEY });
    }
    expect((await h.call('POST', '/api/queue/jobs/claim', { workerId: 'w' })).body.job).toBeNull();

    const list = await h.call('GET', '/api/limits');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      defaultMax: 1,
      keys: [
        {
          key: KEY,
          max: 2,
          isDefault: false,
          updatedBy: null,
          updatedAt: expect.any(String),
          running: 2,
          queued: 1,
        },
      ],
    });

    const removed = await h.call('DELETE', PATH);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ removed: true, previousMax: 2, limit: { max: 1, isDefault: true } });
    expect((await h.call('DELETE', PATH)).body.removed).toBe(false);
  });

  it('tells a bad call what to fix', async () => {
    const big = await h.call('PUT', PATH, { max: 10_001 });
    expect(big.status).toBe(400);
    expect(big.body.error).toMatchObject({ code: 'invalid_argument' });
    expect(big.body.error.message).toContain('must be at most 10000');
    const inBody = await h.call('PUT', PATH, { key: 'other', max: 1 });
    expect(inBody.status).toBe(400);
    expect(inBody.body.error.message).toContain('key belongs in the path');
    const missing = await h.call('PUT', PATH, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/max/);
    const post = await h.call('POST', PATH, { max: 1 });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('PUT, DELETE');
    expect((await h.call('GET', '/api/limits')).body.keys).toEqual([]);
  });

  it('lets only operators change limits; anyone who may read lists them', async () => {
    const token = async (role: 'producer' | 'worker' | 'operator') => ({
      authorization: `Bearer ${(await h.q.service.tokens.create({ name: `t-${role}`, role })).token}`,
    });
    const [producer, operator] = [await token('producer'), await token('operator')];
    const refused = await h.call('PUT', PATH, { max: 3 }, producer);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('operator');
    expect((await h.call('GET', '/api/limits', undefined, producer)).status).toBe(200);
    const set = await h.call('PUT', PATH, { max: 3, updatedBy: 'someone-else' }, operator);
    expect(set.status).toBe(200);
    // The token is the actor, whatever the body says.
    expect(set.body.limit.updatedBy).toBe('t-operator');
  });
});
