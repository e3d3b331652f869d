// GET /metrics in the Prometheus text format (prom-client), on a registry of its own per app, so
// that several apps in one process (tests) do not collide. Counters and histograms count what
// this process did, heard through the service's observers (src/queue/observers.ts) rather than by
// wrapping each surface: REST, MCP and this process's sweeper are all seen, each write once. The
// job gauge is read from the database at scrape time, so it is true for the whole fleet.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isTerminal } from '../core/job.js';
import type { JobActivity, JobTally, QueueService } from '../queue/service.js';

/** Most (status, type) series the job gauge reports; the largest groups are kept. */
const MAX_JOB_SERIES = 500;
const ENDING_KINDS = new Set(['completed', 'failed', 'dead_lettered', 'cancelled']);

export interface Metrics {
  registry: Registry;
  /** Stops counting (the app closes). */
  close(): void;
}

export function createMetrics(service: QueueService): Metrics {
  const registry = new Registry();
  // One read per scrape, shared by the gauges below (a registry collects them all at once).
  let reading: Promise<JobTally | null> | null = null;
  const tallyOnce = () =>
    (reading ??= service
      .tally(MAX_JOB_SERIES)
      .catch(() => null)
      .finally(() => {
        reading = null;
      }));
  new Gauge({
    name: 'agent_queue_database_up',
    help: '1 when this scrape could read the database, else 0 (the job gauge is then empty).',
    registers: [registry],
    async collect() {
      this.set((await tallyOnce()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'agent_queue_jobs',
    help: 'Jobs in the database by status and type, read at scrape time (the whole fleet).',
    labelNames: ['status', 'type'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await tallyOnce()) ?? [])
        this.set({ status: row.status, type: row.type }, row.count);
    },
  });
  new Gauge({
    name: 'agent_queue_workers_paused',
    help: '1 while the fleet is paused (label mode: drain or quiesce), else 0 (mode "none").',
    labelNames: ['mode'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const state = await service.control.state();
        this.set({ mode: state.paused ? (state.mode ?? 'drain') : 'none' }, state.paused ? 1 : 0);
      } catch {
        // agent_queue_database_up says why it is missing
      }
    },
  });

  const counter = (name: string, help: string, labelNames: string[] = ['type']) =>
    new Counter({ name, help: `${help} (this process).`, labelNames, registers: [registry] });
  const enqueued = counter(
    'agent_queue_jobs_enqueued_total',
    'Jobs enqueued (deduplicated enqueues not counted)',
  );
  const claimed = counter('agent_queue_jobs_claimed_total', 'Jobs claimed');
  const completed = counter('agent_queue_jobs_completed_total', 'Jobs completed');
  const failed = counter(
    'agent_queue_jobs_failed_total',
    'Fail calls, by outcome: retry_scheduled, failed, dead_lettered or cancelled',
    ['type', 'outcome'],
  );
  const expired = counter(
    'agent_queue_lease_expiries_total',
    'Leases that expired, by outcome: lease_expired (requeued), dead_lettered or cancelled',
    ['type', 'outcome'],
  );
  const claimWait = new Histogram({
    name: 'agent_queue_claim_wait_seconds',
    help: 'How long a job was claimable (since its runAt) before a worker claimed it (this process).',
    labelNames: ['type'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'agent_queue_job_duration_seconds',
    help: 'From first claim to the end, by final status, for jobs that ended in this process.',
    labelNames: ['type', 'status'],
    buckets: [0.1, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600],
    registers: [registry],
  });

  const count = ({ job, kind, data, at }: JobActivity) => {
    const type = job.type;
    if (kind === 'enqueued') enqueued.inc({ type });
    else if (kind === 'claimed') {
      claimed.inc({ type });
      claimWait.observe({ type }, Math.max(0, (at.getTime() - job.runAt.getTime()) / 1000));
    } else if (kind === 'completed') completed.inc({ type });
    const endedBy = (data as { endedBy?: unknown } | null)?.endedBy;
    if (endedBy === 'fail') failed.inc({ type, outcome: kind });
    if (endedBy === 'expiry') expired.inc({ type, outcome: kind });
    if (ENDING_KINDS.has(kind) && isTerminal(job.status) && job.startedAt && job.finishedAt) {
      duration.observe(
        { type, status: job.status },
        Math.max(0, (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000),
      );
    }
  };
  const stop = service.observe(count);
  return { registry, close: stop };
}
