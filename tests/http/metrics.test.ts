// GET /metrics (Prometheus text): the counters of this process move as jobs are enqueued, claimed,
// completed, failed and expired; the job gauge and pause gauge are read from the database.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, openTestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { startRest } from './rest-harness.js';

const JOBS = '/api/queue/jobs';

/** The value of one sample line, e.g. `agent_queue_jobs_claimed_total{type="m"}`; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe.each(backendsForSuite())('/metrics ($name)', (backend) => {
  it('counts enqueues, claims, completions, failures and lease expiries; gauges jobs and pause', async () => {
    const clock = new FakeClock();
    const h = await startRest(backend, await openTestQueue(backend, { clock }));
    try {
      const scrape = async () => {
        const r = await h.call('GET', '/metrics');
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toContain('text/plain');
        return r.body as string;
      };
      const before = await scrape();
      expect(sample(before, 'agent_queue_jobs_enqueued_total{type="m"}')).toBe(0);
      expect(sample(before, 'agent_queue_database_up')).toBe(1);
      expect(sample(before, 'agent_queue_workers_paused{mode="none"}')).toBe(0);

      for (let i = 0; i < 4; i++) await h.call('POST', JOBS, { type: 'm', maxAttempts: 2 });
      await h.call('POST', JOBS, { type: 'm', dedupeKey: 'd' });
      await h.call('POST', JOBS, { type: 'm', dedupeKey: 'd' }); // deduplicated: not a new job
      const lease = async (leaseSeconds = 60) => {
        const r = await h.call('POST', `${JOBS}/claim`, { workerId: 'w', leaseSeconds });
        return { id: r.body.job.id as string, leaseToken: r.body.lease.token as string };
      };
      clock.advance(2);
      const a = await lease();
      clock.advance(3);
      await h.call('POST', `${JOBS}/${a.id}/complete`, { leaseToken: a.leaseToken });
      const b = await lease();
      await h.call('POST', `${JOBS}/${b.id}/fail`, { leaseToken: b.leaseToken, error: 'again' });
      const c = await lease();
      await h.call('POST', `${JOBS}/${c.id}/fail`, {
        leaseToken: c.leaseToken,
        error: 'no',
        retryable: false,
      });
      await lease(5);
      clock.advance(10);
      expect(await h.q.service.sweepExpired()).toBe(1);

      const text = await scrape();
      expect(sample(text, 'agent_queue_jobs_enqueued_total{type="m"}')).toBe(5);
      expect(sample(text, 'agent_queue_jobs_claimed_total{type="m"}')).toBe(4);
      expect(sample(text, 'agent_queue_jobs_completed_total{type="m"}')).toBe(1);
      expect(sample(text, 'agent_queue_jobs_failed_total{type="m",outcome="retry_scheduled"}')).toBe(1);
      expect(sample(text, 'agent_queue_jobs_failed_total{type="m",outcome="failed"}')).toBe(1);
      expect(sample(text, 'agent_queue_lease_expiries_total{type="m",outcome="lease_expired"}')).toBe(1);
      expect(sample(text, 'agent_queue_claim_wait_seconds_count{type="m"}')).toBe(4);
      // The first claim came 2 s after its job was due.
      expect(sample(text, 'agent_queue_claim_wait_seconds_bucket{le="1",type="m"}')).toBe(0);
      expect(sample(text, 'agent_queue_claim_wait_seconds_bucket{le="5",type="m"}')).toBe(4);
      expect(sample(text, 'agent_queue_job_duration_seconds_count{type="m",status="succeeded"}')).toBe(1);
      expect(sample(text, 'agent_queue_job_duration_seconds_sum{type="m",status="succeeded"}')).toBe(3);
      expect(sample(text, 'agent_queue_job_duration_seconds_count{type="m",status="failed"}')).toBe(1);
      // Read from the database: 2 requeued (one after a fail, one after expiry) + 1 never claimed.
      expect(sample(text, 'agent_queue_jobs{status="queued",type="m"}')).toBe(3);
      expect(sample(text, 'agent_queue_jobs{status="succeeded",type="m"}')).toBe(1);
      expect(sample(text, 'agent_queue_jobs{status="failed",type="m"}')).toBe(1);

      await h.call('POST', '/api/system/worker-pause', { paused: true, mode: 'quiesce', reason: 'r' });
      expect(sample(await scrape(), 'agent_queue_workers_paused{mode="quiesce"}')).toBe(1);
    } finally {
      await h.close();
    }
  });
});
