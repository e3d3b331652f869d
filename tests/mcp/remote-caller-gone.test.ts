// Issue 14 through a remote serve (`agent-queue mcp --server`): when the host goes away during a
// long-poll claim, the claim's REST request is aborted so serve stops waiting and releases what it
// claimed for it; an answer that arrives after the host left, or that stdout cannot deliver, is
// handed back through the REST API (release). Either way the job is queued again, not left running
// under a lease nobody holds. A real serve on both backends, the MCP server as a raw child process.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimAnswer, Job, JobEvent } from '../../src/core/types.js';
import type { QueueService } from '../../src/queue/service.js';
import { backendsForSuite } from '../helpers/backends.js';
import { pollUntil } from '../faults/poll.js';
import { MCP_TEST_TIMEOUT_MS, useMcpHarness, type McpHarness, type Served } from './harness.js';
import { toolBody, type RawStdio } from './raw-stdio.js';
import { directQueue, NO_DATABASE, remoteArgs } from './remote-harness.js';

const TRIALS = 4;
/** How long serve may take to notice a closed connection and release (it is asynchronous here). */
const SETTLE_MS = 20_000;

const claimParams = { name: 'queue_claim', arguments: { waitSeconds: 30 } };

const story = (events: JobEvent[]) =>
  events.filter((e) => e.kind === 'claimed' || e.kind === 'released').map((e) => e.kind);

describe.each(backendsForSuite())('a remote MCP server whose host went away ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function setup(): Promise<{ q: QueueService; serve: Served }> {
    const direct = directQueue(h);
    closers.push(direct.close);
    return { q: direct.service, serve: await h.serve() };
  }

  /** A remote MCP server long-polling a claim: the ping answered after it means the claim is under way. */
  async function longPolling(serve: Served): Promise<RawStdio> {
    const raw = await h.raw(remoteArgs(serve.base), { DATABASE_URL: NO_DATABASE });
    await raw.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 'claim', method: 'tools/call', params: claimParams })}\n`,
    );
    expect((await raw.request('ping', '{}')).result).toEqual({});
    return raw;
  }

  async function closed(raw: RawStdio): Promise<ClaimAnswer | undefined> {
    if (raw.child.exitCode === null || raw.child.stdout!.readable) await once(raw.child, 'close');
    const answer = raw.answers.find((a) => a.id === 'claim');
    return answer && toolBody<ClaimAnswer>(answer);
  }

  /** The job once no claim holds it any more: queued, with its timeline. */
  const settledQueued = (q: QueueService, job: Job) =>
    pollUntil(
      () => q.get({ jobId: job.id, events: 50 }),
      (g) =>
        g.job.status === 'queued' &&
        // A release shows its row and its event (get reads them in two statements).
        (story(g.events!).length === 0 || story(g.events!).at(-1) === 'released'),
      SETTLE_MS,
    );

  it(
    'stdin ending stops the long-poll at once (answers wait) and the job stays claimable',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { q, serve } = await setup();
      const raw = await longPolling(serve);
      raw.child.stdin!.end();
      expect(await closed(raw)).toMatchObject({ action: 'wait', job: null });
      const { job } = await q.enqueue({ type: 'gone.job', payload: {} });
      // serve may still see the closed connection late: a claim it made then is released, so the
      // job is claimable again here within the wait.
      const next = await q.claim({ workerId: 'other', waitSeconds: 20 });
      expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
    },
  );

  it(
    'an answer stdout cannot deliver (EPIPE) is released through serve',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const { q, serve } = await setup();
      const raw = await longPolling(serve);
      raw.child.stdout!.destroy();
      const { job } = await q.enqueue({ type: 'gone.job', payload: {} });
      const after = await pollUntil(
        () => q.get({ jobId: job.id, events: 50 }),
        (g) => g.job.status === 'queued' && g.events!.some((e) => e.kind === 'released'),
        SETTLE_MS,
      );
      expect(after.job).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null });
      expect(story(after.events!)).toEqual(['claimed', 'released']);
      expect(after.events!.at(-1)!.data).toEqual({ endedBy: 'release', reason: 'answer_undelivered' });
      raw.child.stdin!.end();
      await closed(raw);
    },
  );

  it(
    'killed host (stdout and stdin closed) as a job comes in: the job ends up queued, attempt 0',
    { timeout: MCP_TEST_TIMEOUT_MS * 2 },
    async () => {
      const { q, serve } = await setup();
      for (let i = 0; i < TRIALS; i++) {
        const raw = await longPolling(serve);
        raw.child.stdout!.destroy();
        if (i % 2 === 0) raw.child.stdin!.end();
        const { job } = await q.enqueue({ type: 'gone.job', payload: { i } });
        if (i % 2 === 1) raw.child.stdin!.end();
        await closed(raw);
        const { job: now, events } = await settledQueued(q, job);
        expect(now).toMatchObject({ status: 'queued', attempt: 0, claimedBy: null });
        expect([[], ['claimed', 'released']]).toContainEqual(story(events!));
        const next = await q.claim({ workerId: `other-${i}` });
        expect(next.job).toMatchObject({ id: job.id, attempt: 1 });
        await q.complete({ jobId: job.id, leaseToken: next.lease!.token });
      }
    },
  );

  it(
    'stdin ending as a job comes in: the job is either answered to the client or queued again',
    { timeout: MCP_TEST_TIMEOUT_MS * 2 },
    async () => {
      const { q, serve } = await setup();
      for (let i = 0; i < TRIALS; i++) {
        const raw = await longPolling(serve);
        raw.child.stdin!.end();
        const { job } = await q.enqueue({ type: 'gone.job', payload: { i } });
        const got = await closed(raw);
        if (got?.action === 'work') {
          expect(got.job?.id).toBe(job.id);
          const { job: now, events } = await q.get({ jobId: job.id, events: 50 });
          expect(now).toMatchObject({ status: 'running', attempt: 1 });
          expect(story(events!)).toEqual(['claimed']);
          await q.complete({ jobId: job.id, leaseToken: got.lease!.token });
        } else {
          const { job: now, events } = await settledQueued(q, job);
          expect(now).toMatchObject({ status: 'queued', attempt: 0 });
          expect([[], ['claimed', 'released']]).toContainEqual(story(events!));
          await q.cancel({ jobId: job.id });
        }
      }
    },
  );
});
