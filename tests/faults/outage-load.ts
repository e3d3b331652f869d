// The moving parts of the outage-under-load scenario: workers that claim and complete through real
// MCP servers and treat `unavailable` as "retry shortly", and an injector that times each fault to
// land while calls are in flight.
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorBody, McpChild } from './mcp-child.js';
import type { PgInstance } from './pg-instance.js';
import type { TcpProxy } from './tcp-proxy.js';

export interface WorkerStats {
  claimed: number;
  completed: number;
  /** `unavailable` answers: the worker paused and asked again. */
  unavailable: number;
  /** Completes refused because the lease had expired meanwhile (the job is someone else's now). */
  leaseLost: number;
  /** Calls with no answer at all (timeout, process gone). */
  noAnswer: number;
  /** Any other error answer, with its code: a surprise worth reading. */
  other: string[];
}

export const newStats = (): WorkerStats => ({
  claimed: 0,
  completed: 0,
  unavailable: 0,
  leaseLost: 0,
  noAnswer: 0,
  other: [],
});

const RETRY_PAUSE_MS = 200;

/** Emits 'call' whenever a worker starts a tool call, so faults can be aimed at calls in flight. */
export const calls = new EventEmitter();

type Outcome<T> = { kind: 'ok'; body: T } | { kind: 'error'; code: string } | { kind: 'gone' };

async function attempt<T>(
  server: McpChild,
  stats: WorkerStats,
  name: string,
  args: Record<string, unknown>,
): Promise<Outcome<T>> {
  calls.emit('call');
  try {
    const r = await server.tool<T>(name, args);
    if (!r.isError) return { kind: 'ok', body: r.body };
    const code = (r.body as unknown as ErrorBody).error.code;
    if (code === 'unavailable') stats.unavailable++;
    return { kind: 'error', code };
  } catch {
    stats.noAnswer++;
    return server.exit ? { kind: 'gone' } : { kind: 'error', code: 'no_answer' };
  }
}

interface Claimed {
  job: { id: string } | null;
  lease?: { token: string };
}

/**
 * Claim -> read -> "work" -> complete until `stop()` says so or the server is gone. A complete that got no
 * clear answer is repeated with the same lease: either it lands or the lease was lost.
 */
export async function runWorker(
  server: McpChild,
  stats: WorkerStats,
  opts: { workMs: number; leaseSeconds: number; stop: () => boolean },
): Promise<void> {
  while (!opts.stop()) {
    const claim = await attempt<Claimed>(server, stats, 'queue_claim', {
      leaseSeconds: opts.leaseSeconds,
      waitSeconds: 1,
    });
    if (claim.kind === 'gone') return;
    if (claim.kind === 'error') {
      if (claim.code !== 'unavailable' && claim.code !== 'no_answer') stats.other.push(`claim:${claim.code}`);
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    const { job, lease } = claim.body;
    if (!job || !lease) continue;
    stats.claimed++;
    // A read too (with its timeline), as a worker re-reading its job does: reads take other paths
    // through the driver than the claim and complete writes.
    const read = await attempt(server, stats, 'queue_get', { jobId: job.id, events: 5 });
    if (read.kind === 'gone') return;
    if (read.kind === 'error' && read.code !== 'unavailable' && read.code !== 'no_answer') {
      stats.other.push(`get:${read.code}`);
    }
    await sleep(opts.workMs);
    for (;;) {
      const done = await attempt(server, stats, 'queue_complete', { jobId: job.id, leaseToken: lease.token });
      if (done.kind === 'gone') return;
      if (done.kind === 'ok') {
        stats.completed++;
        break;
      }
      if (done.code === 'lease_lost') {
        stats.leaseLost++;
        break;
      }
      if (done.code !== 'unavailable' && done.code !== 'no_answer') {
        stats.other.push(`complete:${done.code}`);
        break;
      }
      await sleep(RETRY_PAUSE_MS);
    }
  }
}

export type Fault = 'restart-fast' | 'restart-immediate' | 'terminate' | 'drop';

/** Three rounds of every fault, drops and terminations twice per round: 18 faults. */
export const FAULT_PLAN: Fault[] = Array.from({ length: 3 }, () => [
  'drop',
  'terminate',
  'restart-fast',
  'drop',
  'terminate',
  'restart-immediate',
]).flat() as Fault[];

export interface InjectionLog {
  injected: Record<Fault, number>;
  /** Connections the proxy cut, backends pg_terminate_backend ended. */
  connectionsCut: number;
  backendsTerminated: number;
}

/** Waits (bounded) until a worker starts a call, then lets it reach the database. */
async function duringACall(proxy: TcpProxy): Promise<void> {
  await Promise.race([once(calls, 'call'), sleep(2_000)]);
  await proxy.nextClientTraffic(1_000);
}

/**
 * Runs the plan, one fault every `gapMs` (plus the time the fault itself takes); stops early once
 * `targetsLeft()` says nothing is left to hurt (every server died).
 */
export async function injectFaults(
  pgi: PgInstance,
  proxy: TcpProxy,
  plan: Fault[],
  opts: { gapMs: number; targetsLeft: () => boolean },
): Promise<InjectionLog> {
  const log: InjectionLog = {
    injected: { 'restart-fast': 0, 'restart-immediate': 0, terminate: 0, drop: 0 },
    connectionsCut: 0,
    backendsTerminated: 0,
  };
  for (const fault of plan) {
    await sleep(opts.gapMs);
    if (!opts.targetsLeft()) break;
    await duringACall(proxy);
    if (fault === 'drop') log.connectionsCut += proxy.dropAll();
    else if (fault === 'terminate') log.backendsTerminated += await pgi.terminateBackends();
    else await pgi.restart({ mode: fault === 'restart-fast' ? 'fast' : 'immediate' });
    log.injected[fault]++;
  }
  return log;
}
