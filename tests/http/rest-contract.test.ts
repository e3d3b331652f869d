// The REST API of SPEC §11 through the real HTTP server, on both backends: every route's answer
// and every error status a caller can cause (400, 403, 404, 405, 409, 413).
import { describe, expect, it } from 'vitest';
import { backendsForSuite } from '../helpers/backends.js';
import { pollUntil } from '../faults/poll.js';
import { track, untilWaiting } from '../helpers/waiting.js';
import { useRest, type Answer, type RestHarness } from './rest-harness.js';

const JOBS = '/api/queue/jobs';
const PAUSE = '/api/system/worker-pause';

describe.each(backendsForSuite())('REST contract ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  async function enqueue(body: Record<string, unknown> = { type: 'rest.job' }) {
    const r = await h.call('POST', JOBS, body);
    expect(r.status).toBe(201);
    return r.body.job as { id: string };
  }
  async function claimed(type = 'rest.job') {
    const job = await enqueue({ type, payload: { n: 1 } });
    const r = await h.call('POST', `${JOBS}/claim`, { workerId: 'w1', types: [type] });
    expect(r.body).toMatchObject({ action: 'work', job: { id: job.id } });
    return { id: job.id, token: r.body.lease.token as string };
  }

  it('enqueues (201, or 200 deduplicated), lists with filters and cursor, gets with events', async () => {
    const a = await h.call('POST', JOBS, { type: 'a.job', payload: { x: 1 }, dedupeKey: 'k' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      deduplicated: false,
      job: { type: 'a.job', status: 'queued', payload: { x: 1 } },
    });
    const again = await h.call('POST', JOBS, { type: 'a.job', dedupeKey: 'k' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ deduplicated: true, job: { id: a.body.job.id } });
    await enqueue({ type: 'b.job' });
    await enqueue({ type: 'b.job' });

    const page1 = await h.call('GET', `${JOBS}?type=b.job&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.jobs).toHaveLength(1);
    expect(page1.body.jobs[0].payload).toBeUndefined();
    const page2 = await h.call(
      'GET',
      `${JOBS}?type=b.job&limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
    );
    expect(page2.body.jobs).toHaveLength(1);
    expect(page2.body.jobs[0].id).not.toBe(page1.body.jobs[0].id);
    const full = await h.call('GET', `${JOBS}?status=queued&full=true`);
    expect(full.body.jobs).toHaveLength(3);
    expect(full.body.jobs.find((j: { id: string }) => j.id === a.body.job.id).payload).toEqual({ x: 1 });

    const got = await h.call('GET', `${JOBS}/${a.body.job.id}?events=5`);
    expect(got.status).toBe(200);
    expect(got.body.job).toMatchObject({ id: a.body.job.id, payload: { x: 1 } });
    expect(got.body.events.map((e: { kind: string }) => e.kind)).toEqual(['enqueued']);
    const events = await h.call('GET', `${JOBS}/${a.body.job.id}/events?after=0&limit=10`);
    expect(events.body.events).toHaveLength(1);
    expect(
      (await h.call('GET', `${JOBS}/${a.body.job.id}/events?after=${events.body.events[0].id}`)).body.events,
    ).toEqual([]);
  });

  it('runs a lease: claim, heartbeat, complete; fail; cancel and cancel/ack', async () => {
    const { id, token } = await claimed();
    const beat = await h.call('POST', `${JOBS}/${id}/heartbeat`, {
      leaseToken: token,
      progress: 50,
      message: 'half',
    });
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({
      action: 'continue',
      job: { id, progress: 50 },
      system: { workersPaused: false },
    });
    const done = await h.call('POST', `${JOBS}/${id}/complete`, { leaseToken: token, result: { ok: true } });
    expect(done.body.job).toMatchObject({ status: 'succeeded', result: { ok: true } });

    const second = await claimed();
    const failed = await h.call('POST', `${JOBS}/${second.id}/fail`, {
      leaseToken: second.token,
      error: 'no',
      retryable: false,
    });
    expect(failed.body.job.status).toBe('failed');

    const queued = await enqueue({ type: 'other' });
    expect((await h.call('POST', `${JOBS}/${queued.id}/cancel`)).body.job.status).toBe('cancelled');

    const third = await claimed();
    const asked = await h.call('POST', `${JOBS}/${third.id}/cancel`, { reason: 'stop' });
    expect(asked.body.job).toMatchObject({ status: 'running', cancelReason: 'stop' });
    const told = await h.call('POST', `${JOBS}/${third.id}/heartbeat`, { leaseToken: third.token });
    expect(told.body.action).toBe('cancel');
    const acked = await h.call('POST', `${JOBS}/${third.id}/cancel/ack`, { leaseToken: third.token });
    expect(acked.body.job.status).toBe('cancelled');
  });

  it('claim with waitSeconds long-polls until a job is enqueued; empty claim answers wait', async () => {
    const empty = await h.call('POST', `${JOBS}/claim`, { workerId: 'w' });
    expect(empty.body).toMatchObject({ job: null, action: 'wait' });
    const waiting = track(h.call('POST', `${JOBS}/claim`, { workerId: 'w', waitSeconds: 30 }));
    await untilWaiting(h.q.whenIdle(1), waiting.answer);
    const job = await enqueue();
    expect((await waiting.answer).body).toMatchObject({ action: 'work', job: { id: job.id } });
  });

  it('a long-poll claim whose client went away takes no job', async () => {
    const client = new AbortController();
    const gone = fetch(new URL(`${JOBS}/claim`, h.base), {
      method: 'POST',
      body: JSON.stringify({ workerId: 'gone', waitSeconds: 30 }),
      signal: client.signal,
    }).catch((err: unknown) => err);
    await h.q.whenIdle(1);
    client.abort();
    await gone;
    // The server noticed when no claimer waits any more.
    const idleNow = () =>
      Promise.race([
        h.q.whenIdle(1).then(() => true),
        new Promise<boolean>((r) => setImmediate(() => r(false))),
      ]);
    expect(await pollUntil(idleNow, (idle) => !idle, 10_000)).toBe(false);
    const job = await enqueue();
    const r = await h.call('POST', `${JOBS}/claim`, { workerId: 'present' });
    expect(r.body).toMatchObject({ action: 'work', job: { id: job.id, claimedBy: 'present' } });
  });

  it('pauses and resumes the fleet through worker-pause; GET shows state, metrics and audit', async () => {
    const { id, token } = await claimed();
    const paused = await h.call('POST', PAUSE, {
      paused: true,
      mode: 'drain',
      reason: 'deploy',
      requestedBy: 'ops',
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      changed: true,
      system: { workersPaused: true, mode: 'drain', reason: 'deploy' },
    });
    const status = await h.call('GET', `${PAUSE}?audit=5`);
    expect(status.body).toMatchObject({
      system: { workersPaused: true },
      metrics: { running: 1, isDrained: false },
    });
    expect(status.body.audit[0]).toMatchObject({ action: 'pause', mode: 'drain', actor: 'ops' });
    expect((await h.call('POST', `${JOBS}/claim`, { workerId: 'w2' })).body).toMatchObject({
      action: 'wait',
      job: null,
    });

    const refused = await h.call('POST', PAUSE, { paused: false, reason: 'done' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('job_state_conflict');
    expect(refused.body.error.message).toContain('{"paused": false, "force": true');
    const forced = await h.call('POST', PAUSE, { paused: false, reason: 'done', force: true });
    expect(forced.body).toMatchObject({ changed: true, system: { workersPaused: false } });
    expect((await h.call('POST', `${JOBS}/${id}/complete`, { leaseToken: token })).status).toBe(200);
    expect((await h.call('POST', PAUSE, { paused: false, reason: 'again' })).status).toBe(409);
  });

  it('remote routes: log, watch, held, wait and release answer, and refuse what is wrong', async () => {
    const { id, token } = await claimed();
    const log = await h.call('POST', `${JOBS}/${id}/log`, {
      leaseToken: token,
      stream: 'stderr',
      lines: ['x'],
    });
    expect(log).toMatchObject({ status: 200, body: { written: 1 } });
    expect(
      (await h.call('POST', `${JOBS}/${id}/log`, { leaseToken: token, stream: 'tty', lines: ['x'] })).status,
    ).toBe(400);
    expect((await h.call('POST', `${JOBS}/${id}/watch`, { timeoutSeconds: 0 })).body).toEqual({
      changed: false,
    });
    expect((await h.call('POST', `${JOBS}/${id}/watch`, { timeoutSeconds: 51 })).status).toBe(400);
    const held = await h.call('GET', '/api/queue/held?workerId=w1');
    expect(held.body).toMatchObject({ workerId: 'w1', jobs: [{ job: { id }, lease: { token } }] });
    expect((await h.call('GET', '/api/queue/held')).status).toBe(400);
    const notYet = await h.call('GET', `${JOBS}/${id}/wait?waitSeconds=0`);
    expect(notYet.body).toMatchObject({ done: false, job: { id, status: 'running' } });
    expect(notYet.body.job.payload).toBeUndefined();
    const released = await h.call('POST', `${JOBS}/${id}/release`, { leaseToken: token, reason: 'test' });
    expect(released.body).toMatchObject({ released: true, job: { status: 'queued' } });
    // The token no longer holds the lease: a second release changes nothing.
    expect(
      (await h.call('POST', `${JOBS}/${id}/release`, { leaseToken: token, reason: 'again' })).body,
    ).toMatchObject({
      released: false,
    });
    const none = '01900000-0000-7000-8000-000000000000';
    for (const [method, path] of [
      ['POST', `${JOBS}/${none}/watch`],
      ['GET', `${JOBS}/${none}/wait?waitSeconds=0`],
    ] as const) {
      const r = await h.call(method, path, method === 'POST' ? { timeoutSeconds: 0 } : undefined);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });

  it('answers errors as {error: {code, message}} with their status', async () => {
    const expectError = async (p: Promise<Answer>, status: number, code: string, message?: RegExp) => {
      const r = await p;
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message).toMatch(message ?? /./);
      return r;
    };
    await expectError(
      h.call('POST', JOBS, '{"type": '),
      400,
      'invalid_argument',
      /not valid JSON.*content-type: application\/json/,
    );
    await expectError(
      h.call('POST', JOBS, '[1]'),
      400,
      'invalid_argument',
      /must be a JSON object.*not an array/,
    );
    const bad = await expectError(
      h.call('POST', JOBS, { type: 'Bad Type', extra: 1 }),
      400,
      'invalid_argument',
      /type: must be lowercase/,
    );
    expect(bad.body.error.details.issues.length).toBeGreaterThan(0);
    await expectError(h.call('GET', `${JOBS}?limit=abc`), 400, 'invalid_argument', /limit/);
    await expectError(
      h.call('POST', PAUSE, { mode: 'drain', reason: 'r' }),
      400,
      'invalid_argument',
      /paused must be true/,
    );
    const id = '01900000-0000-7000-8000-000000000000';
    await expectError(h.call('GET', `${JOBS}/${id}`), 404, 'not_found', /GET \/api\/queue\/jobs lists/);
    await expectError(h.call('GET', `${JOBS}/${id}/events`), 404, 'not_found');
    await expectError(h.call('GET', `${JOBS}/${id}/events/stream`), 404, 'not_found');
    await expectError(h.call('POST', `${JOBS}/${id}/cancel`), 404, 'not_found');
    await expectError(
      h.call('POST', `${JOBS}/${id}/heartbeat`, { leaseToken: 't', jobId: id }),
      400,
      'invalid_argument',
      /belongs in the path/,
    );
    await expectError(h.call('GET', '/api/queue/nothing'), 404, 'not_found', /openapi\.json/);
    const wrong = await expectError(h.call('DELETE', `${JOBS}/${id}`), 405, 'invalid_argument', /use GET/);
    expect(wrong.headers.get('allow')).toBe('GET');
    await expectError(h.call('PUT', `${JOBS}/claim`), 405, 'invalid_argument', /use POST/);

    const { id: held, token } = await claimed();
    // A token this job never issued is a mistake in the call; one of an ended attempt is a lost lease.
    await expectError(
      h.call('POST', `${JOBS}/${held}/complete`, { leaseToken: 'not-mine' }),
      400,
      'invalid_argument',
    );
    expect((await h.call('POST', `${JOBS}/${held}/complete`, { leaseToken: token })).status).toBe(200);
    const lost = await expectError(
      h.call('POST', `${JOBS}/${held}/heartbeat`, { leaseToken: token }),
      409,
      'lease_lost',
    );
    expect(lost.body.error.details).toMatchObject({ action: 'lease_lost', system: { workersPaused: false } });
    await expectError(h.call('POST', `${JOBS}/${held}/cancel`), 409, 'job_state_conflict');

    const big = JSON.stringify({ type: 'big', payload: { s: 'x'.repeat(17 * 1024 * 1024) } });
    await expectError(h.call('POST', JOBS, big), 413, 'payload_too_large', /payload limit/);
    await expectError(
      h.call('POST', JOBS, { type: 'big', payload: { s: 'x'.repeat(300 * 1024) } }),
      413,
      'payload_too_large',
    );
    await expectError(
      h.call('GET', JOBS, undefined, { origin: 'http://evil.example' }),
      403,
      'forbidden',
      /Origin/,
    );
  });
});
