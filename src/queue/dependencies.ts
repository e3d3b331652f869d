// The rules of job dependencies (SPEC §16, docs/dependencies.md): what an ending does to the jobs
// waiting for it, the refusals at enqueue and retry, and what `get` shows of a job's dependencies.
// The store runs them (src/store/dependencies.ts); the wording and the choices are made here.
import { echo } from '../core/echo.js';
import { QueueError } from '../core/errors.js';
import { UNSUCCESSFUL_ENDINGS } from '../core/job.js';
import type { DependencyView, JobStatus } from '../core/types.js';
import type { DependentsInsertResult, JobRecord, Propagation } from '../store/store.js';
import type { QueueContext } from './context.js';
import { readySignal } from './wakeups.js';
import { isUuid } from '../core/ids.js';

/** What the ending of job `id` as `status` does to the jobs that depend on it. */
export function propagationFor(id: string, status: JobStatus, now: Date): Propagation {
  if (status === 'succeeded') {
    return {
      kind: 'unblock',
      event: {
        level: 'info',
        kind: 'dependencies_met',
        message: `every dependency succeeded (the last: ${id}); claimable now`,
        data: { dependency: id },
      },
    };
  }
  // Also said to the jobs further down the graph: the job named is the one whose ending cancelled them.
  const reason = `dependency ${id} ended ${status}`;
  return {
    kind: 'cancel',
    set: {
      status: 'cancelled',
      finishedAt: now,
      leaseToken: null,
      leaseExpiresAt: null,
      cancelRequestedAt: now,
      cancelRequestedBy: null,
      cancelReason: reason,
      errorMessage: reason,
    },
    event: {
      level: 'warn',
      kind: 'cancelled',
      message: `cancelled: ${reason}, so this job can never run`,
      data: { dependency: id, dependencyStatus: status },
    },
  };
}

/** After an ending committed: wakes claimers of the jobs it unblocked and awaiters of those it cancelled. */
export async function announcePropagation(
  ctx: Pick<QueueContext, 'store' | 'observers'>,
  out: { unblocked: JobRecord[]; cancelled: JobRecord[] },
  propagate: Propagation,
  now: Date,
): Promise<void> {
  const { event } = propagate;
  for (const job of out.unblocked) {
    ctx.observers.emit({ job, kind: event.kind, data: event.data, at: now });
    await ctx.store.notify(readySignal(job)).catch(() => undefined);
  }
  for (const job of out.cancelled) {
    ctx.observers.emit({ job, kind: event.kind, data: event.data, at: now });
    await ctx.store.notify({ kind: 'job_finished', jobId: job.id }).catch(() => undefined);
  }
}

/** Ids that cannot name a job are refused before the store: PostgreSQL's uuid would not take them. */
export function assertDependencyIds(ids: readonly string[], field = 'dependsOn'): void {
  const bad = ids.filter((id) => !isUuid(id));
  if (bad.length > 0) throw unknownDependencies(bad, field);
}

const unknownDependencies = (ids: readonly string[], field: string) =>
  new QueueError(
    'invalid_argument',
    `${field}: no job ${ids.map((id) => `"${echo(id)}"`).join(', ')} (a wrong id, or a finished job that was pruned). Check the ids with list or get.`,
    { details: { missing: ids.map((id) => echo(id)) } },
  );

/** The store's answer to an insert with dependencies, or the refusal it stands for. */
export function insertedOrRefused(
  r: DependentsInsertResult,
  field = 'dependsOn',
): { job: JobRecord; inserted: boolean }[] {
  if (r.ok) return r.jobs;
  if ('missing' in r) throw unknownDependencies(r.missing, field);
  const named = r.ended.map((d) => `${d.id} (${d.status})`).join(', ');
  throw new QueueError(
    'job_state_conflict',
    `${field}: job ${named} already ended without success, so a job depending on it could never run. Retry that job first, or leave it out of ${field}.`,
    { details: { dependencies: r.ended } },
  );
}

/** Refuses a retry while a dependency of the job ended without success: that one must be retried first. */
export function assertRetryable(deps: { id: string; job: JobRecord | null }[]): void {
  const ended = deps.filter((d) => d.job && UNSUCCESSFUL_ENDINGS.includes(d.job.status));
  if (ended.length === 0) return;
  const named = ended.map((d) => `${d.id} (${d.job!.status})`).join(', ');
  throw new QueueError(
    'job_state_conflict',
    `This job depends on ${named}, which ended without success: retry dependency ${ended[0]!.id} first, then this job.`,
    { details: { dependencies: ended.map((d) => ({ id: d.id, status: d.job!.status })) } },
  );
}

/** A dependency as `get` shows it. A pruned one is only its id. */
export function toDependencyView(d: { id: string; job: JobRecord | null }): DependencyView {
  const j = d.job;
  return {
    id: d.id,
    type: j?.type ?? null,
    status: j?.status ?? null,
    resultSummary: j?.resultSummary ?? null,
    result: j ? j.result : null,
  };
}
