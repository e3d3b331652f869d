// Issue 14, fix 1, over stdio: a server whose stdin ended claims nothing more. Its long-polls stop
// at once, and a claim that lands in the moment before it noticed is released, not left running
// for a host that is gone: when stdout is gone too (the host was killed), the answer's failed
// write (EPIPE) releases the job; when only stdin ended, a claim landing after that is released.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimAnswer, JobEvent } from '../../src/core/types.js';
import { QueueService } from '../../src/queue/service.js';
import { backendsForSuite } from '../helpers/backends.js';
import { pollUntil } from '../faults/poll.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, useMcpHarness } from './harness.js';
import { toolBody, type RawStdio } from './raw-stdio.js';

// Each trial races an enqueue against the end of the server's input; a handful of them, since
// which side wins varies (the invariant must hold either way).
const TRIALS = 4;

const claimParams = { name: 'queue_claim', arguments: { waitSeconds: 30 } };

/** The claim and release events of a job's timeline, oldest first. */
const story = (events: JobEvent[]) =>
  events.filter((e) => e.kind === 'claimed' || e.kind === 'released').map((e) => e.kind);

describe.each(backendsForSuite())('a stdio server whose input ended ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));
  const services: { svc: QueueService; close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
  });

  function queue(): QueueService {
    const store = h.db.open();
    const svc = new QueueService({ store });
    services.push({ svc, close: async () => (await svc.close(), await store.close()) });
    return svc;
  }

  /** A server long-polling a claim: the ping answered after it means the claim is under way. */
  async function longPolling(): Promise<RawStdio> {
    const raw = await h.raw(['mcp']);
    await raw.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 'claim', method: 'tools/call', params: claimParams })}\n`,
    );
    expect((await raw.request('ping', '{}')).result).toEqual({});
    return raw;
  }

  /**
   * Resolves once the server exited and its stdout was read to the end ('close', not 'exit': under
   * load the exit can be seen before the last lines), with the claim's answer if it got one.
   */
  async function closed(raw: RawStdio): Promise<ClaimAnswer | undefined> {
    if (raw.child.exitCode === null || raw.child.stdout!.readable) await once(raw.child, 'close');
    const answer = raw.answers.find((a) => a.id === 'claim');
    return answer && toolBody<ClaimAnswer>(answer);
  }

  it(
    'stops its long-poll at once (answers wait) and the job stays claimable',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const q = queue();
      const raw = await longPolling();
      raw.child.stdin!.end();
      expect(await closed(raw)).toMatchObject({ action: 'wait', job: null });
      const { job } = await q.enqueue({ type: 'gone.job', payload: {} });
      const next = await q.claim({ workerId: 'other' });
      expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
    },
  );

  it(
    'stdin ending as a job comes in: the job is either answered to the client or queued again',
    { timeout: MCP_TEST_TIMEOUT_MS * 2 },
    async () => {
      const q = queue();
      for (let i = 0; i < TRIALS; i++) {
        const raw = await longPolling();
        raw.child.stdin!.end();
        const { job } = await q.enqueue({ type: 'gone.job', payload: { i } });
        const got = (await closed(raw))!;
        const { job: now, events } = await q.get({ jobId: job.id, events: 50 });
        if (got.action === 'work') {
          // Claimed before the end was read: the answer reached the client, which holds the job.
          expect(got.job?.id).toBe(job.id);
          expect(now).toMatchObject({ status: 'running', attempt: 1 });
          expect(story(events!)).toEqual(['claimed']);
          await q.complete({ jobId: job.id, leaseToken: got.lease!.token });
        } else {
          expect(got.action).toBe('wait');
          expect(now).toMatchObject({ status: 'queued', attempt: 0 });
          expect([[], ['claimed', 'released']]).toContainEqual(story(events!));
          await q.cancel({ jobId: job.id });
        }
      }
    },
  );

  it(
    'an answer that cannot be written (stdout gone, EPIPE) releases the job it carried',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const q = queue();
      const raw = await longPolling();
      raw.child.stdout!.destroy();
      const { job } = await q.enqueue({ type: 'gone.job', payload: {} });
      const after = await pollUntil(
        () => q.get({ jobId: job.id, events: 50 }),
        // Both: `get` reads the row and the events in two statements, so a release committing in
        // between shows its event beside the row as it was before.
        (g) => g.job.status === 'queued' && g.events!.some((e) => e.kind === 'released'),
        20_000,
      );
      expect(after.job).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null, startedAt: null });
      expect(story(after.events!)).toEqual(['claimed', 'released']);
      expect(after.events!.at(-1)!.data).toEqual({ endedBy: 'release', reason: 'answer_undelivered' });
      raw.child.stdin!.end();
      await closed(raw);
    },
  );

  it(
    'killed host (stdout and stdin closed) as a job comes in: the job always ends up queued, attempt 0',
    { timeout: MCP_TEST_TIMEOUT_MS * 2 },
    async () => {
      const q = queue();
      for (let i = 0; i < TRIALS; i++) {
        const raw = await longPolling();
        // stdout first: an answer written before would sit in the pipe, looking delivered.
        raw.child.stdout!.destroy();
        // Half the trials close stdin before the enqueue, half after: both orders must hold.
        if (i % 2 === 0) raw.child.stdin!.end();
        const { job } = await q.enqueue({ type: 'gone.job', payload: { i } });
        if (i % 2 === 1) raw.child.stdin!.end();
        await closed(raw);
        const { job: now, events } = await q.get({ jobId: job.id, events: 50 });
        expect(now).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null });
        expect([[], ['claimed', 'released']]).toContainEqual(story(events!));
        const next = await q.claim({ workerId: `other-${i}` });
        expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
        await q.complete({ jobId: job.id, leaseToken: next.lease!.token });
      }
    },
  );
});
