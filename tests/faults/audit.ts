// After a scenario: every job and its whole timeline, read from the database on a connection of the
// test's own, and what is wrong with them (missing, duplicated, not succeeded, stuck, inconsistent).
import type { TestDb } from '../helpers/backends.js';
import { queryRows } from '../helpers/sql.js';
import { timelineProblems } from '../helpers/timeline.js';
import { QueueService } from '../../src/queue/service.js';
import type { Job, JobEvent } from '../../src/core/types.js';

export interface Audit {
  jobs: Job[];
  byStatus: Record<string, number>;
  /** Enqueued ids the database does not have. */
  missing: string[];
  /** Jobs with more than one `completed` event. */
  duplicated: string[];
  /** Jobs that finished other than `succeeded`. */
  notSucceeded: string[];
  /** Jobs still queued or running. */
  unfinished: string[];
  /** "jobId: problem" for every timeline that does not replay through the lifecycle. */
  timeline: string[];
}

export async function readJobs(db: TestDb): Promise<Job[]> {
  const store = db.open();
  const service = new QueueService({ store });
  try {
    const jobs: Job[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ limit: 200, full: true, ...(cursor ? { cursor } : {}) });
      jobs.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return jobs;
  } finally {
    await service.close();
    await store.close();
  }
}

async function readEvents(db: TestDb): Promise<Map<string, JobEvent[]>> {
  const rows = await queryRows(
    db,
    'select id, job_id, at, level, kind, attempt, message from agent_job_events order by id',
  );
  const byJob = new Map<string, JobEvent[]>();
  for (const r of rows) {
    const jobId = String(r.job_id);
    const list = byJob.get(jobId) ?? [];
    list.push({
      id: Number(r.id),
      jobId,
      at: String(r.at),
      level: r.level as JobEvent['level'],
      kind: String(r.kind),
      attempt: Number(r.attempt),
      message: (r.message as string | null) ?? null,
      data: null,
    });
    byJob.set(jobId, list);
  }
  return byJob;
}

export async function auditJobs(db: TestDb, enqueued: Iterable<string>): Promise<Audit> {
  const [jobs, events] = await Promise.all([readJobs(db), readEvents(db)]);
  const found = new Set(jobs.map((j) => j.id));
  const audit: Audit = {
    jobs,
    byStatus: {},
    missing: [...enqueued].filter((id) => !found.has(id)),
    duplicated: [],
    notSucceeded: [],
    unfinished: [],
    timeline: [],
  };
  for (const job of jobs) {
    audit.byStatus[job.status] = (audit.byStatus[job.status] ?? 0) + 1;
    const timeline = events.get(job.id) ?? [];
    if (timeline.filter((e) => e.kind === 'completed').length > 1) audit.duplicated.push(job.id);
    if (job.status === 'queued' || job.status === 'running') audit.unfinished.push(job.id);
    else if (job.status !== 'succeeded') audit.notSucceeded.push(job.id);
    for (const p of timelineProblems(job, timeline)) audit.timeline.push(`${job.id}: ${p}`);
  }
  return audit;
}
