// Clean shutdown on SIGTERM: `agent-queue mcp` and `agent-queue serve` stop with exit code 0 while a
// long-polling claim is in flight and a job is held; nothing is left half-written, a job enqueued
// right after the signal is not taken by the dying server, and a new process carries on.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueService } from '../../src/queue/service.js';
import type { ClaimAnswer } from '../../src/core/types.js';
import type { Store } from '../../src/store/store.js';
import { backendsForSuite } from '../helpers/backends.js';
import { queryRows } from '../helpers/sql.js';
import { CLIENT_NAME, McpHarness, call, ok } from '../mcp/harness.js';
import { auditJobs } from './audit.js';
import { McpFleet } from './mcp-fleet.js';
import { expectNoDamage } from './report.js';

/** Pids whose parent is `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A job is either queued, or running with a whole lease, or finished; never in between. */
async function halfWritten(h: McpHarness): Promise<string[]> {
  const rows = await queryRows(
    h.db,
    'select id, status, lease_token, claimed_by, lease_expires_at from agent_jobs',
  );
  return rows
    .filter((r) =>
      r.status === 'running'
        ? r.lease_token === null || r.claimed_by === null || r.lease_expires_at === null
        : r.status === 'queued' && r.lease_token !== null,
    )
    .map((r) => `${String(r.id)} ${String(r.status)} token=${String(r.lease_token)}`);
}

describe.each(backendsForSuite())('clean shutdown on SIGTERM ($name)', (backend) => {
  let h: McpHarness;
  let fleet: McpFleet;
  let store: Store;
  // The test's own connection: enqueues right after the signal without waiting for a server.
  let service: QueueService;
  beforeEach(async () => {
    h = await new McpHarness(backend).setup();
    fleet = new McpFleet(h.env());
    store = h.db.open();
    service = new QueueService({ store });
  });
  afterEach(async () => {
    await fleet.stopAll();
    await service.close();
    await store.close();
    await h.cleanup();
  });

  /**
   * Sends SIGTERM while `client` holds a job and long-polls for another; enqueues one more right
   * after the signal; waits for the exit; then checks the database and that a new server carries on.
   */
  async function terminateMidWork(
    scenario: string,
    child: ChildProcess,
    client: Client,
    signal: () => void,
  ): Promise<void> {
    await ok(client, 'queue_enqueue', { type: 'fault.shutdown', payload: { n: 1 } });
    const held = await ok<ClaimAnswer>(client, 'queue_claim', {});
    expect(held.action).toBe('work');
    const longPoll = call<ClaimAnswer>(client, 'queue_claim', { waitSeconds: 30 });
    // Requests are handled in order: once this answers, the long-poll has started on the server.
    await ok(client, 'queue_status');
    const pid = child.pid!;
    const descendants = childrenOf(pid);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    signal();
    const { job: late } = await service.enqueue({ type: 'fault.shutdown', payload: { n: 2 } });
    const [code, sig] = await exited;
    // The in-flight long-poll is answered before the connection goes: `wait`, no job.
    const polled = await longPoll.then(
      (a) => ({ action: a.body.action, job: a.body.job }),
      (err: unknown) => ({ error: String(err) }),
    );

    const broken = await halfWritten(h);
    const lateNow = (await service.get({ jobId: late.id })).job;
    const heldNow = (await service.get({ jobId: held.job!.id })).job;
    // A new process opens the same database and takes the job the dying one must have left alone.
    const next = await fleet.spawn();
    const taken = await ok<ClaimAnswer>(next.client, 'queue_claim', { waitSeconds: 5 });
    if (taken.job) {
      await ok(next.client, 'queue_complete', { jobId: taken.job.id, leaseToken: taken.lease!.token });
    }
    const audit = await auditJobs(h.db, [held.job!.id, late.id]);
    const leftBehind = [pid, ...descendants].filter(alive);

    expectNoDamage(scenario, backend.name, {
      jobs: audit.jobs.length,
      faults: 1,
      duplicates: audit.duplicated.length,
      lost: audit.missing.length + audit.notSucceeded.length + broken.length,
      // Taken by the dying server after the signal: nobody works on it until its lease expires.
      stuck: lateNow.status === 'queued' ? 0 : 1,
      crashes: code === 0 && sig === null ? 0 : 1,
      extra: { exitCode: String(code), signal: String(sig), leftBehind: leftBehind.length },
    });
    expect(polled).toEqual({ action: 'wait', job: null });
    expect(broken).toEqual([]);
    expect(audit.timeline).toEqual([]);
    expect(heldNow).toMatchObject({ status: 'running', attempt: 1, claimedBy: held.job!.claimedBy });
    expect(taken.job?.id).toBe(late.id);
    expect(leftBehind).toEqual([]);
  }

  it('agent-queue mcp exits 0 with a long-poll in flight and a job held', async () => {
    const server = await fleet.spawn();
    await terminateMidWork('shutdown-stdio', server.child, server.client, () => fleet.terminate(server));
  });

  it('agent-queue serve exits 0 with a Streamable HTTP long-poll in flight and a job held', async () => {
    const served = await h.serve();
    const client = h.track(new Client({ name: CLIENT_NAME, version: '1.0.0' }));
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', served.base)));
    await terminateMidWork('shutdown-http', served.child, client, () => served.child.kill('SIGTERM'));
  });
});
