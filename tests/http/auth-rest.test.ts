// Every REST route of the route table against every role, through the real server (createApp) on
// both backends: 403 exactly where the role lacks the route's permission, and a token decides the
// worker id, the claimable types and the recorded actor, whatever the body says.
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { ROUTES } from '../../src/http/rest/routes.js';
import { ROLES, allows } from '../../src/queue/permissions.js';
import { startRest, useRest, type RestHarness } from './rest-harness.js';

/** A body or query each route accepts, so an allowed call gets past validation. */
function request(route: (typeof ROUTES)[number], jobId: string): { path: string; body?: unknown } {
  const path = route.path
    .replace('{id}', jobId)
    .replace('{key}', encodeURIComponent('repo:acme/api'))
    .replace('{name}', 'matrix');
  if (route.path === '/api/schedules' && route.method === 'POST')
    return { path, body: { name: 'matrix', cron: '0 3 * * *', type: 'auth.matrix', replace: true } };
  if (route.path.startsWith('/api/limits/'))
    return route.method === 'PUT' ? { path, body: { max: 2 } } : { path };
  // Long-polls asked not to wait: the status is all this needs.
  if (route.path.endsWith('/wait')) return { path: `${path}?waitSeconds=0` };
  if (route.method === 'GET') return { path };
  if (route.path.endsWith('/watch')) return { path, body: { timeoutSeconds: 0 } };
  if (route.path.endsWith('/log')) {
    return { path, body: { leaseToken: 'not-a-lease-token', stream: 'stdout', lines: ['x'] } };
  }
  if (route.path.endsWith('/release'))
    return { path, body: { leaseToken: 'not-a-lease-token', reason: 'matrix' } };
  if (route.path.endsWith('/jobs')) return { path, body: { type: 'auth.matrix', payload: {} } };
  if (route.path.endsWith('/claim')) return { path, body: { workerId: 'body-says', waitSeconds: 0 } };
  if (route.path.endsWith('/claim-batch'))
    return { path, body: { workerId: 'body-says', waitSeconds: 0, limit: 2 } };
  if (route.path.endsWith('/complete-batch'))
    return { path, body: { items: [{ jobId, leaseToken: 'not-a-lease-token' }] } };
  if (route.path === '/api/system/worker-pause') return { path, body: { paused: false, reason: 'matrix' } };
  if (route.path.endsWith('/cancel')) return { path, body: { reason: 'matrix' } };
  // Lease calls with a token the job never issued: allowed callers reach the queue's own refusal.
  return { path, body: { leaseToken: 'not-a-lease-token' } };
}

describe.each(backendsForSuite())('REST routes × roles ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (harness) => (h = harness));

  it('answers 403 exactly where the role may not, and never 401 for a valid token', async () => {
    const tokens = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => [
          role,
          (await h.q.service.tokens.create({ name: `t-${role}`, role })).token,
        ]),
      ),
    );
    const { job } = await h.q.service.enqueue({ type: 'auth.matrix', payload: {} });
    for (const route of ROUTES) {
      for (const role of ROLES) {
        const { path, body } = request(route, job.id);
        const auth = { authorization: `Bearer ${tokens[role]}` };
        let status: number;
        if (route.stream) {
          // An event stream stays open: its status is all this needs.
          const ac = new AbortController();
          const res = await fetch(new URL(path, h.base), { headers: auth, signal: ac.signal });
          status = res.status;
          ac.abort();
        } else status = (await h.call(route.method, path, body, auth)).status;
        const label = `${role} ${route.method} ${route.path} → ${status}`;
        if (allows({ role }, route.permission)) expect([401, 403], label).not.toContain(status);
        else expect(status, label).toBe(403);
      }
      const anonymous = await h.call(route.method, request(route, job.id).path, request(route, job.id).body);
      expect(anonymous.status, `no token ${route.method} ${route.path}`).toBe(401);
    }
    // A path that names no route is 404 for any token (and 401 without one), not a role's refusal.
    const asProducer = { authorization: `Bearer ${tokens.producer}` };
    expect((await h.call('GET', '/api/queue/jobz', undefined, asProducer)).status).toBe(404);
    expect((await h.call('POST', '/api/queue/jobs/claim/', {}, asProducer)).status).toBe(404);
    expect((await h.call('GET', '/api/queue/jobz')).status).toBe(401);
  });

  it("claims as the token's name, only its types, and records the token as the actor", async () => {
    const worker = await h.q.service.tokens.create({
      name: 'builder',
      role: 'worker',
      types: ['code.build'],
    });
    const producer = await h.q.service.tokens.create({ name: 'planner', role: 'producer' });
    const asProducer = { authorization: `Bearer ${producer.token}` };
    const asWorker = { authorization: `Bearer ${worker.token}` };
    const review = await h.call(
      'POST',
      '/api/queue/jobs',
      { type: 'code.review', createdBy: 'someone-else' },
      asProducer,
    );
    expect(review.status).toBe(201);
    expect(review.body.job.createdBy).toBe('planner');
    await h.call('POST', '/api/queue/jobs', { type: 'code.build' }, asProducer);

    const claimed = await h.call('POST', '/api/queue/jobs/claim', { workerId: 'impostor' }, asWorker);
    expect(claimed.status).toBe(200);
    expect(claimed.body.job.type).toBe('code.build');
    expect(claimed.body.job.claimedBy).toBe('builder');
    // The review job is outside the token's types: asking for it is refused, not silently empty.
    const outside = await h.call('POST', '/api/queue/jobs/claim', { types: ['code.review'] }, asWorker);
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('forbidden');
  });

  it("stays within serve's --types, with a token and without", async () => {
    const scoped = await startRest(backend, undefined, { AGENT_QUEUE_TYPES: 'code.build' });
    try {
      await scoped.q.service.enqueue({ type: 'code.deploy', payload: {} });
      const anyone = await scoped.call('POST', '/api/queue/jobs/claim', { workerId: 'w' });
      expect(anyone.body.action).toBe('wait');
      const { token } = await scoped.q.service.tokens.create({ name: 'w1', role: 'worker' });
      const asWorker = { authorization: `Bearer ${token}` };
      const claimed = await scoped.call('POST', '/api/queue/jobs/claim', {}, asWorker);
      expect(claimed.body.action).toBe('wait');
      await scoped.q.service.enqueue({ type: 'code.build', payload: {} });
      const build = await scoped.call('POST', '/api/queue/jobs/claim', {}, asWorker);
      expect(build.body.job.type).toBe('code.build');
    } finally {
      await scoped.close();
    }
  });
});
