// The bearer-token middleware for /api (auth.ts, route-permissions.ts) on a tiny Hono app served
// over real HTTP on a random loopback port, with the token store on both backends: each permission
// is one route here, mounted the two ways a route may use. The real routes: auth-rest.test.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { authenticate, principalOf, requirePermission, type AuthEnv } from '../../src/http/auth.js';
import { apiPermissions, permissionFor } from '../../src/http/route-permissions.js';
import { PERMISSIONS, ROLES, allows, type Role } from '../../src/queue/permissions.js';
import type { QueueService } from '../../src/queue/service.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** /api/p/<permission> needs that permission (requirePermission); /api/queue/… goes by the table. */
async function start(service: QueueService, opts: { always?: boolean } = {}): Promise<URL> {
  const app = new Hono<AuthEnv>();
  app.use('/api/*', authenticate(service.tokens, 'rest', opts));
  for (const p of PERMISSIONS) {
    app.get(`/api/p/${p}`, requirePermission(p), (c) =>
      c.json({ ok: true, caller: principalOf(c)?.name ?? null }),
    );
  }
  const table = new Hono<AuthEnv>();
  table.use('*', apiPermissions());
  table.post('/api/queue/jobs', (c) => c.json({ ok: true }));
  table.post('/api/queue/jobs/claim', (c) => c.json({ ok: true }));
  table.post('/api/queue/jobs/:id/cancel', (c) => c.json({ ok: true }));
  table.post('/api/system/worker-pause', (c) => c.json({ ok: true }));
  app.route('/', table);
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  servers.push(server);
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

const call = (base: URL, path: string, token?: string, method = 'GET') =>
  fetch(new URL(path, base), {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe.each(backendsForSuite())('bearer tokens on /api ($name)', (backend) => {
  let q: TestQueue;
  let service: QueueService;
  useTestQueue(backend, (opened) => {
    q = opened;
    service = q.service;
  });

  it('is open while no token exists; then 401 without, with a wrong, or with a revoked token', async () => {
    const base = await start(service);
    expect(await (await call(base, '/api/p/operate')).json()).toEqual({ ok: true, caller: null });

    const { token } = await service.tokens.create({ name: 'ops', role: 'operator' });
    const other = (await service.tokens.create({ name: 'other', role: 'producer' })).token;
    const none = await call(base, '/api/p/read');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="agent-queue"');
    const body = (await none.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/Authorization: Bearer <token>.*agent-queue token create/);

    for (const wrong of [`${token}x`, 'aq_wrong', token.slice(3), `Basic ${token}`]) {
      const r = await fetch(new URL('/api/p/read', base), { headers: { authorization: `Bearer ${wrong}` } });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await r.text()).not.toContain(wrong);
    }
    expect(await (await call(base, '/api/p/read', token)).json()).toEqual({ ok: true, caller: 'ops' });
    // The scheme is case-insensitive (RFC 7235).
    const lower = await fetch(new URL('/api/p/read', base), {
      headers: { authorization: `bearer ${token}` },
    });
    expect(lower.status).toBe(200);

    // Revoked in this process: refused at the next request, cache or not.
    await service.tokens.revoke('ops');
    expect((await call(base, '/api/p/read', token)).status).toBe(401);
    expect((await call(base, '/api/p/read', other)).status).toBe(200);
    await service.tokens.revoke('other');
    // No token left: open again on loopback; never when serve listens elsewhere (always).
    expect((await call(base, '/api/p/read')).status).toBe(200);
    const publicBase = await start(service, { always: true });
    expect((await call(publicBase, '/api/p/read')).status).toBe(401);
  });

  it('grants each role exactly its permissions (403 forbidden otherwise) and records last use', async () => {
    const base = await start(service);
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) tokens[role] = (await service.tokens.create({ name: `t-${role}`, role })).token;
    const seen: Record<string, number> = {};
    for (const role of ROLES) {
      for (const p of PERMISSIONS) {
        const r = await call(base, `/api/p/${p}`, tokens[role]);
        seen[`${role}:${p}`] = r.status;
        if (r.status === 403) {
          const body = (await r.json()) as { error: { code: string; message: string } };
          expect(body.error.code).toBe('forbidden');
          expect(body.error.message).toContain(`role ${role}, which may not ${p}`);
        } else await r.body?.cancel();
      }
    }
    expect(seen).toEqual({
      'producer:read': 200,
      'producer:produce': 200,
      'producer:work': 403,
      'producer:operate': 403,
      'worker:read': 200,
      'worker:produce': 403,
      'worker:work': 200,
      'worker:operate': 403,
      'operator:read': 200,
      'operator:produce': 200,
      'operator:work': 200,
      'operator:operate': 200,
    });
    for (const role of ROLES)
      for (const p of PERMISSIONS) expect(allows({ role }, p)).toBe(seen[`${role}:${p}`] === 200);

    // The route table: enqueue and cancel are a producer's, claim a worker's, pause an operator's.
    const id = '01900000-0000-7000-8000-000000000000';
    const status = async (role: Role, method: string, path: string) =>
      (await call(base, path, tokens[role], method)).status;
    expect(await status('producer', 'POST', '/api/queue/jobs')).toBe(200);
    expect(await status('worker', 'POST', '/api/queue/jobs')).toBe(403);
    expect(await status('worker', 'POST', '/api/queue/jobs/claim')).toBe(200);
    expect(await status('producer', 'POST', '/api/queue/jobs/claim')).toBe(403);
    expect(await status('producer', 'POST', `/api/queue/jobs/${id}/cancel`)).toBe(200);
    expect(await status('worker', 'POST', `/api/queue/jobs/${id}/cancel`)).toBe(403);
    expect(await status('producer', 'POST', '/api/system/worker-pause')).toBe(403);
    expect(await status('operator', 'POST', '/api/system/worker-pause')).toBe(200);

    // Last use is recorded (at most once a minute per token, so once here).
    const listed = await q.service.tokens.list();
    expect(listed.every((t) => t.lastUsedAt !== null)).toBe(true);
  });
});

describe('the /api route-permission table', () => {
  it('gives every SPEC §11 route its permission', () => {
    const id = '0190abcd-0000-7000-8000-000000000000';
    const cases: [string, string, string | null][] = [
      ['POST', '/api/queue/jobs', 'produce'],
      ['GET', '/api/queue/jobs', 'read'],
      ['GET', `/api/queue/jobs/${id}`, 'read'],
      ['HEAD', `/api/queue/jobs/${id}`, 'read'],
      ['GET', `/api/queue/jobs/${id}/events`, 'read'],
      ['GET', `/api/queue/jobs/${id}/events/stream`, 'read'],
      ['POST', '/api/queue/jobs/claim', 'work'],
      ['POST', `/api/queue/jobs/${id}/heartbeat`, 'work'],
      ['POST', `/api/queue/jobs/${id}/complete`, 'work'],
      ['POST', `/api/queue/jobs/${id}/fail`, 'work'],
      ['POST', `/api/queue/jobs/${id}/cancel`, 'produce'],
      ['POST', `/api/queue/jobs/${id}/cancel/ack`, 'work'],
      ['GET', '/api/system/worker-pause', 'read'],
      ['POST', '/api/system/worker-pause', 'operate'],
      ['GET', '/api/openapi.json', 'read'],
      // No route: no permission to check; the REST layer answers 404 (auth-rest.test.ts).
      ['GET', '/api/openapiXjson', null],
      ['POST', `/api/queue/jobs/${id}/unknown`, null],
      ['POST', '/api/queue/jobs/claim/', null],
    ];
    for (const [method, path, permission] of cases)
      expect([method, path, permissionFor(method, path)]).toEqual([method, path, permission]);
  });
});
