// RemoteQueue through a real serve (createApp on a random loopback port) on both backends: every
// call answers as the in-process service would, server errors come back as the same QueueError
// code, and an unreachable server is `unavailable` (what callers retry), never a crash.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RemoteQueue } from '../../src/client/remote-queue.js';
import { parseServerUrl } from '../../src/client/rest-client.js';
import { backendsForSuite } from '../helpers/backends.js';
import { useRest, type RestHarness } from '../http/rest-harness.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe.each(backendsForSuite())('RemoteQueue ($name)', (backend) => {
  let h!: RestHarness;
  useRest(backend, (x) => (h = x));
  const remote = () => new RemoteQueue({ server: h.base.href });

  it('runs a job end to end: enqueue, claim, heartbeat, log, complete, wait, get, events', async () => {
    const q = remote();
    const { job } = await q.enqueue({ type: 'remote.demo', payload: { n: 1 } });
    const claimed = await q.claim({ workerId: 'far-away', leaseSeconds: 30 });
    expect(claimed.action).toBe('work');
    expect(claimed.job!.id).toBe(job.id);
    const leaseToken = claimed.lease!.token;
    const beat = await q.heartbeat({ jobId: job.id, leaseToken, message: 'half way' });
    expect(beat.action).toBe('continue');
    expect(await q.log({ jobId: job.id, leaseToken, stream: 'stdout', lines: ['a', 'b'] })).toEqual({
      written: 2,
    });
    const held = await q.held({ workerId: 'far-away' });
    expect(held.jobs.map((j) => j.lease.token)).toEqual([leaseToken]);
    await q.complete({ jobId: job.id, leaseToken, result: { ok: true } });
    const waited = await q.wait({ jobId: job.id, waitSeconds: 1 });
    expect(waited).toMatchObject({ done: true, job: { status: 'succeeded' } });
    const got = await q.get({ jobId: job.id, events: 20 });
    expect(got.job.result).toEqual({ ok: true });
    const { events } = await q.events({ jobId: job.id });
    expect(events.map((e) => e.kind)).toContain('log');
    expect((await q.list({ status: 'succeeded' })).jobs.map((j) => j.id)).toEqual([job.id]);
  });

  it('long-polls a claim on the server and wakes when a job lands', async () => {
    const q = remote();
    const waiting: number[] = [];
    const claim = q.claim({ workerId: 'w', waitSeconds: 10 }, { onWaiting: (s) => waiting.push(s) });
    await h.q.whenIdle();
    await q.enqueue({ type: 'late.job' });
    const answer = await claim;
    expect(answer.action).toBe('work');
  });

  it('watchJob: a cancel request wakes the watch; an unchanged job answers false at the timeout', async () => {
    const q = remote();
    const { job } = await q.enqueue({ type: 'watch.me' });
    const claimed = await q.claim({ workerId: 'w' });
    expect(await q.watchJob(job.id, { timeoutMs: 200, pauseVersion: claimed.system.version })).toBe(false);
    // A third of a 10 s lease, as the worker's beat asks: fractional milliseconds are fine.
    expect(await q.watchJob(job.id, { timeoutMs: 10_000 / 30, pauseVersion: claimed.system.version })).toBe(
      false,
    );
    expect((await q.claim({ workerId: 'w', waitSeconds: 0.1234 })).action).toBe('wait');
    const watch = q.watchJob(job.id, { timeoutMs: 20_000, pauseVersion: claimed.system.version });
    await q.cancel({ jobId: job.id, reason: 'stop' });
    expect(await watch).toBe(true);
    // A pause made since the version the caller saw answers at once.
    await q.control.pause({ mode: 'quiesce', reason: 'maintenance' });
    expect(await q.watchJob(job.id, { timeoutMs: 20_000, pauseVersion: claimed.system.version })).toBe(true);
    const status = await q.control.status();
    expect(status.system.workersPaused).toBe(true);
    await q.control.resume({ reason: 'done' });
  });

  it('release hands a claimed job back; ackCancel and fail go through', async () => {
    const q = remote();
    const { job } = await q.enqueue({ type: 'rel.job' });
    const c1 = await q.claim({ workerId: 'w' });
    expect(
      (await q.release({ jobId: job.id, leaseToken: c1.lease!.token, reason: 'answer_undelivered' }))
        .released,
    ).toBe(true);
    const c2 = await q.claim({ workerId: 'w' });
    expect(c2.job!.id).toBe(job.id);
    const failed = await q.fail({
      jobId: job.id,
      leaseToken: c2.lease!.token,
      error: 'boom',
      retryable: false,
    });
    expect(failed.job.status).toBe('failed');
    const { job: other } = await q.enqueue({ type: 'rel.job' });
    const c3 = await q.claim({ workerId: 'w' });
    await q.cancel({ jobId: other.id });
    expect((await q.ackCancel({ jobId: other.id, leaseToken: c3.lease!.token })).job.status).toBe(
      'cancelled',
    );
  });

  it("answers the server's error codes as QueueErrors, with the server's message", async () => {
    const q = remote();
    expect(await code(q.get({ jobId: 'no-such-job' }))).toBe('not_found');
    expect(await code(q.enqueue({ type: 'BAD TYPE' }))).toBe('invalid_argument');
    const { job } = await q.enqueue({ type: 'x.y' });
    await q.claim({ workerId: 'w' });
    const err = await q.complete({ jobId: job.id, leaseToken: 'x'.repeat(32) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'QueueError' });
    expect((err as { code: string }).code).toMatch(/invalid_argument|lease_lost/);
  });

  it('with tokens on: no token is unauthorized (naming --token); a worker token claims as its name', async () => {
    const { token } = await h.q.service.tokens.create({ name: 'remote-box', role: 'worker' });
    const anonymous = remote();
    const refused = await anonymous
      .claim({ workerId: 'w' })
      .catch((e: unknown) => e as { code: string; message: string });
    expect(refused).toMatchObject({ code: 'unauthorized' });
    expect((refused as { message: string }).message).toContain('--token');
    await h.q.service.enqueue({ type: 'tok.job' });
    const withToken = new RemoteQueue({ server: h.base.href, token });
    const claimed = await withToken.claim({ workerId: 'pretending' });
    expect(claimed.job!.claimedBy).toBe('remote-box');
    // held answers for the token's name, whatever workerId says.
    expect((await withToken.held({ workerId: 'someone-else' })).jobs).toHaveLength(1);
    expect(await code(withToken.control.pause({ mode: 'drain', reason: 'no' }))).toBe('forbidden');
  });
});

describe('RestClient', () => {
  it('a web page on that address (200 HTML, or a proxy 404) is unavailable, not a crash', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url?.includes('held') ? 200 : 404, { 'content-type': 'text/html' });
      res.end('<!doctype html><p>not the queue</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const q = new RemoteQueue({ server: `http://127.0.0.1:${port}` });
      for (const call of [q.held({ workerId: 'w' }), q.get({ jobId: 'x' })]) {
        const err = (await call.catch((e: unknown) => e)) as { code: string; message: string };
        expect(err.code).toBe('unavailable');
        expect(err.message).toMatch(/without an agent-queue error/);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an unreachable server is unavailable, naming the server and not the token', async () => {
    const q = new RemoteQueue({ server: 'http://127.0.0.1:9/', token: 'aq_secret_value_here' });
    const err = (await q.claim({ workerId: 'w' }).catch((e: unknown) => e)) as {
      code: string;
      message: string;
    };
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('http://127.0.0.1:9');
    expect(err.message).not.toContain('aq_secret');
  });

  it('refuses a --server that is not an http(s) base URL, saying what to give', () => {
    expect(() => parseServerUrl('localhost:8787')).toThrow(/http/);
    expect(() => parseServerUrl('ftp://h/')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseServerUrl('http://u:p@h/')).toThrow(/--token/);
    expect(parseServerUrl('http://h:1/prefix').href).toBe('http://h:1/prefix/');
  });
});
