// kill -9 storm: real `agent-queue mcp` servers work as agents (claim → hold → maybe heartbeat →
// complete) while a killer SIGKILLs one that holds a job and starts a replacement. Killed claims
// must expire and be retried elsewhere, the dead holder's token must stay refused, and every job
// must succeed exactly once with a timeline that replays through the lifecycle.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminal, type ClaimAnswer, type Job, type QueueMetrics } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { queryNumber } from '../helpers/sql.js';
import { McpHarness, call, ok } from '../mcp/harness.js';
import { auditJobs } from './audit.js';
import { McpFleet, type McpProcess } from './mcp-fleet.js';
import { faultKnob, faultSeed, seededRandom } from './random.js';
import { expectNoDamage } from './report.js';

const KILLS = faultKnob('FAULTS_KILLS', 50);
const WORKERS = 6;
// Short, so a killed claim expires and is retried within seconds.
const LEASE_SECONDS = 2;
// Jobs kept claimable while the storm lasts: enough that a worker always has one to hold.
const QUEUE_DEPTH = 8;
const STORM_LIMIT_MS = 90_000;
const SETTLE_MS = 20_000;
// No backoff: retried jobs are claimable at once, so the scenario settles fast.
const SERVER_ENV = { AGENT_QUEUE_BACKOFF_BASE_SECONDS: '0', AGENT_QUEUE_BACKOFF_CAP_SECONDS: '0' };

interface Held {
  jobId: string;
  token: string;
  attempt: number;
}
interface Worker {
  proc: McpProcess;
  /** Set from the claim's answer until just before complete is sent: only then may it be killed. */
  held: Held | null;
  killed: boolean;
}

describe.each(backendsForSuite())('kill -9 of MCP servers mid-job ($name)', (backend) => {
  let h: McpHarness;
  let fleet: McpFleet;
  beforeEach(async () => {
    h = await new McpHarness(backend).setup();
    fleet = new McpFleet(h.env(SERVER_ENV));
  });
  afterEach(async () => {
    await fleet.stopAll();
    await h.cleanup();
  });

  it(`loses and duplicates nothing across ${KILLS} kills`, { timeout: 170_000 }, async () => {
    const started = performance.now();
    const seed = faultSeed();
    const random = seededRandom(seed);
    const between = (lo: number, hi: number) => lo + random() * (hi - lo);
    const tally = {
      completed: 0,
      leaseLostLive: 0,
      staleRefused: 0,
      staleAccepted: 0,
      staleUnchecked: 0,
      maxReclaimMs: 0,
    };
    const errors: string[] = [];
    const enqueued = new Set<string>();
    const workers = new Set<Worker>();
    const tasks: Promise<unknown>[] = [];
    let working = true;
    // Never killed: enqueues, and tries the dead holders' tokens as any other session could.
    const observer = await fleet.spawn();

    const refused = (what: string, body: object) => {
      // A slow machine can let a 2 s lease lapse; the job is then retried, which is the design.
      if ((body as { error?: { code?: string } }).error?.code === 'lease_lost') tally.leaseLostLive++;
      else errors.push(`${what}: ${JSON.stringify(body)}`);
    };

    const work = async (w: Worker) => {
      const client = w.proc.client;
      while (working && !w.killed) {
        try {
          const claim = await call<ClaimAnswer>(client, 'queue_claim', {
            leaseSeconds: LEASE_SECONDS,
            waitSeconds: 1,
          });
          if (claim.isError) refused('claim', claim.body);
          const { job, lease } = claim.body;
          if (claim.isError || !job || !lease) continue;
          const owned = { jobId: job.id, leaseToken: lease.token };
          w.held = { jobId: job.id, token: lease.token, attempt: job.attempt };
          await sleep(between(50, 400));
          if (random() < 0.5) {
            const beat = await call(client, 'queue_heartbeat', { ...owned, progress: 50 });
            if (beat.isError) {
              w.held = null;
              refused('heartbeat', beat.body);
              continue;
            }
            await sleep(between(50, 300));
          }
          // From here the completion may already be written: the killer leaves this worker alone.
          w.held = null;
          const done = await call(client, 'queue_complete', { ...owned, resultSummary: 'done' });
          if (done.isError) refused('complete', done.body);
          else tally.completed++;
        } catch (err) {
          // A killed server's pipe dies with it; a crashed one is counted by the fleet.
          if (w.killed || w.proc.child.exitCode !== null) return;
          errors.push(`worker call threw: ${String(err)}`);
        }
      }
    };

    const startWorker = async () => {
      const w: Worker = { proc: await fleet.spawn(), held: null, killed: false };
      workers.add(w);
      tasks.push(work(w));
    };

    /** After a kill: once the job moved on, the dead holder's token must be refused. */
    const checkStale = async (held: Held) => {
      const killedAt = performance.now();
      for (;;) {
        const { job } = await ok<{ job: Job }>(observer.client, 'queue_get', { jobId: held.jobId });
        if (job.attempt > held.attempt || isTerminal(job.status)) break;
        // Never moved on before the scenario settled: the audit counts the job as stuck.
        if (!working) return void tally.staleUnchecked++;
        await sleep(200);
      }
      tally.maxReclaimMs = Math.max(tally.maxReclaimMs, performance.now() - killedAt);
      const late = await call<{ error?: { code?: string } }>(observer.client, 'queue_complete', {
        jobId: held.jobId,
        leaseToken: held.token,
      });
      if (!late.isError) tally.staleAccepted++;
      else if (late.body.error?.code === 'lease_lost') tally.staleRefused++;
      else errors.push(`stale complete: ${JSON.stringify(late.body)}`);
    };

    const topUp = async () => {
      const { metrics } = await ok<{ metrics: QueueMetrics }>(observer.client, 'queue_status');
      for (let i = metrics.queued; i < QUEUE_DEPTH; i++) {
        const { job } = await ok<{ job: Job }>(observer.client, 'queue_enqueue', {
          type: 'fault.kill9',
          payload: { n: enqueued.size },
          maxAttempts: 100,
        });
        enqueued.add(job.id);
      }
    };

    await topUp();
    await Promise.all(Array.from({ length: WORKERS }, startWorker));

    let kills = 0;
    const stormEnds = performance.now() + STORM_LIMIT_MS;
    while (kills < KILLS && performance.now() < stormEnds) {
      await topUp();
      // Paced, so live workers also finish jobs between kills.
      await sleep(between(200, 800));
      const holders = [...workers].filter((w) => w.held);
      if (holders.length === 0) continue;
      const victim = holders[Math.floor(random() * holders.length)]!;
      const held = victim.held!;
      victim.killed = true;
      workers.delete(victim);
      fleet.kill9(victim.proc);
      kills++;
      tasks.push(checkStale(held), startWorker());
    }

    // Settle: killed leases expire within LEASE_SECONDS and the sweep requeues them within ~1 s.
    const unfinished = () =>
      queryNumber(h.db, `select count(*) from agent_jobs where status in ('queued', 'running')`);
    const settleEnds = performance.now() + SETTLE_MS;
    while ((await unfinished()) > 0 && performance.now() < settleEnds) await sleep(250);
    working = false;
    await Promise.all(
      tasks.map((t) => t.catch((err: unknown) => errors.push(`task failed: ${String(err)}`))),
    );
    await fleet.stopAll();

    const audit = await auditJobs(h.db, enqueued);
    for (const crash of fleet.crashes) process.stderr.write(`crashed: ${crash}\n`);
    const maxAttempt = Math.max(...audit.jobs.map((j) => j.attempt));
    expectNoDamage('kill9', backend.name, {
      jobs: enqueued.size,
      faults: kills,
      duplicates: audit.duplicated.length + tally.staleAccepted,
      lost: audit.missing.length + audit.notSucceeded.length,
      stuck: audit.unfinished.length,
      crashes: fleet.crashes.length,
      extra: {
        seed,
        staleRefused: tally.staleRefused,
        staleUnchecked: tally.staleUnchecked,
        leaseLostLive: tally.leaseLostLive,
        maxReclaimSeconds: (tally.maxReclaimMs / 1000).toFixed(1),
        maxAttempt,
        errors: errors.length,
        timelineProblems: audit.timeline.length,
        seconds: Math.round((performance.now() - started) / 1000),
      },
    });
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect({ errors, timeline: audit.timeline, staleUnchecked: tally.staleUnchecked }).toEqual({
      errors: [],
      timeline: [],
      staleUnchecked: 0,
    });
  });
});
