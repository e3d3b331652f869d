// GET /api/queue/jobs/{id}/events/stream: a job's events arrive live as Server-Sent Events, and a
// client that reconnects with Last-Event-ID gets exactly the events it missed: no gap, no duplicate.
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/core/types.js';
import { backendsForSuite, openTestQueue } from '../helpers/backends.js';
import { listenRest, useRest, type RestHarness } from './rest-harness.js';
import { pollUntil } from '../faults/poll.js';
import { openSse, type SseStream } from './sse-client.js';

const JOBS = '/api/queue/jobs';

/** The next frame that carries a job event (skipping retry and keep-alive frames). */
async function nextEvent(s: SseStream): Promise<{ id: string; event: JobEvent } | { end: unknown }> {
  for (;;) {
    const f = await s.next();
    if (!f) throw new Error('the stream ended without an end event');
    if (f.event === 'end') return { end: JSON.parse(f.data!) };
    if (f.event === 'error') throw new Error(`stream error: ${f.data}`);
    if (f.data !== undefined) return { id: f.id!, event: JSON.parse(f.data) as JobEvent };
  }
}

describe.each(backendsForSuite())('REST event stream ($name)', (backend) => {
  let h: RestHarness;
  useRest(backend, (opened) => (h = opened));

  it('streams events live and resumes from Last-Event-ID with no gap and no duplicate', async () => {
    const { body } = await h.call('POST', JOBS, { type: 'sse.job' });
    const id = body.job.id as string;
    const url = new URL(`${JOBS}/${id}/events/stream`, h.base);
    const first = await openSse(url);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    expect((await first.next())?.retry).toBeGreaterThan(0);

    const seen: JobEvent[] = [];
    const take = async (s: SseStream) => {
      const got = await nextEvent(s);
      if (!('event' in got)) throw new Error(`expected an event, got end ${JSON.stringify(got.end)}`);
      expect(got.id).toBe(String(got.event.id));
      seen.push(got.event);
      return got.event;
    };
    expect((await take(first)).kind).toBe('enqueued');

    // Live: each write shows up on the open stream.
    const claim = await h.call('POST', `${JOBS}/claim`, { workerId: 'w' });
    const token = claim.body.lease.token as string;
    expect((await take(first)).kind).toBe('claimed');
    await h.call('POST', `${JOBS}/${id}/heartbeat`, { leaseToken: token, progress: 10, message: 'one' });
    expect((await take(first)).kind).toBe('progress');
    first.close();

    // Missed while disconnected.
    await h.call('POST', `${JOBS}/${id}/heartbeat`, { leaseToken: token, progress: 20, message: 'two' });
    await h.call('POST', `${JOBS}/${id}/heartbeat`, { leaseToken: token, progress: 30, message: 'three' });

    const lastId = String(seen.at(-1)!.id);
    const second = await openSse(url, { 'last-event-id': lastId });
    await second.next(); // retry
    expect((await take(second)).message).toBe('two');
    expect((await take(second)).message).toBe('three');
    await h.call('POST', `${JOBS}/${id}/complete`, { leaseToken: token });
    expect((await take(second)).kind).toBe('completed');
    expect(await nextEvent(second)).toEqual({ end: { status: 'succeeded' } });
    expect(await second.next()).toBeNull();

    const all = (await h.call('GET', `${JOBS}/${id}/events?limit=100`)).body.events as JobEvent[];
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it('starts after ?after=, answers a finished job at once, and refuses a bad Last-Event-ID', async () => {
    const { body } = await h.call('POST', JOBS, { type: 'sse.job' });
    const id = body.job.id as string;
    await h.call('POST', `${JOBS}/${id}/cancel`);
    const events = (await h.call('GET', `${JOBS}/${id}/events`)).body.events as JobEvent[];
    expect(events.map((e) => e.kind)).toEqual(['enqueued', 'cancelled']);

    const s = await openSse(new URL(`${JOBS}/${id}/events/stream?after=${events[0]!.id}`, h.base));
    await s.next();
    const got = await nextEvent(s);
    expect(got).toMatchObject({ event: { kind: 'cancelled' } });
    expect(await nextEvent(s)).toEqual({ end: { status: 'cancelled' } });

    const bad = await h.call('GET', `${JOBS}/${id}/events/stream`, undefined, { 'last-event-id': 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Last-Event-ID/);
  });
});

describe.each(backendsForSuite())('REST event streams: a cap ($name)', (backend) => {
  it('holds at most maxEventStreams at once: the next is 503 unavailable, and a closed one frees a slot', async () => {
    const q = await openTestQueue(backend);
    const server = await listenRest(q.service, {}, { maxEventStreams: 2 });
    try {
      const { job } = await q.service.enqueue({ type: 'sse.cap' });
      const url = new URL(`${JOBS}/${job.id}/events/stream`, server.base);
      const a = await openSse(url);
      const b = await openSse(url);
      expect([a.status, b.status]).toEqual([200, 200]);
      // The slot is held by the stream itself: wait until both sent their first frame.
      expect(await a.next()).not.toBeNull();
      expect(await b.next()).not.toBeNull();
      const refused = await fetch(url);
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      expect(body.error.message).toMatch(/2 live event streams.*events with after=/);
      a.close();
      // The server frees the slot once it reads the close: ask again until a stream is let in.
      const status = await pollUntil(
        async () => {
          const c = await openSse(url);
          c.close();
          return c.status;
        },
        (s) => s === 200,
        10_000,
      );
      expect(status).toBe(200);
      b.close();
    } finally {
      await server.close();
      await q.close();
    }
  });
});
