// Enqueue (SPEC §6): validate, decide when it runs, insert, or answer the unfinished job that
// already holds the same (type, dedupeKey). A job with dependencies (SPEC §16) is inserted with
// its edges in one transaction; one without keeps the single-statement path.
import { QueueError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { JobRecord, NewEvent } from '../store/store.js';
import type { QueueContext } from './context.js';
import { assertDependencyIds, insertedOrRefused } from './dependencies.js';
import * as S from './schemas.js';
import { newJobRecord } from './transitions.js';
import { assertJsonWithinLimit, parseInput } from './validate.js';
import { toJob } from './view.js';
import { readySignal } from './wakeups.js';
import type { z } from 'zod';

export interface EnqueueOptions {
  /** Submitted as an MCP task: the task's id, stored with the job (never shown in a Job). */
  taskId?: string;
}

/** A job ready to insert: its record and its `enqueued` event (naming its dependencies, if any). */
export function prepareJob(
  ctx: Pick<QueueContext, 'clock' | 'settings'>,
  input: z.output<typeof S.enqueueInput>,
  dependsOn: readonly string[],
  opts: EnqueueOptions & { now?: Date } = {},
): { record: JobRecord; event: NewEvent } {
  assertJsonWithinLimit('payload', input.payload, ctx.settings.payloadLimitBytes);
  if (input.runAt !== undefined && input.delaySeconds !== undefined) {
    throw new QueueError(
      'invalid_argument',
      'Invalid enqueue arguments: give runAt or delaySeconds, not both.',
    );
  }
  const now = opts.now ?? ctx.clock.now();
  const runAt =
    input.runAt !== undefined
      ? new Date(input.runAt)
      : new Date(now.getTime() + (input.delaySeconds ?? 0) * 1000);
  const record = newJobRecord(input, {
    now,
    runAt,
    maxAttempts: input.maxAttempts ?? ctx.settings.defaultMaxAttempts,
    ...(opts.taskId ? { taskId: opts.taskId } : {}),
  });
  const data: Record<string, unknown> = { priority: record.priority, runAt: runAt.toISOString() };
  if (dependsOn.length > 0) data.dependsOn = dependsOn;
  return { record, event: { level: 'info', kind: 'enqueued', message: null, data } };
}

export async function enqueue(
  ctx: QueueContext,
  raw: S.EnqueueInput,
  opts: EnqueueOptions = {},
): Promise<{ job: Job; deduplicated: boolean }> {
  const input = parseInput(S.enqueueInput, raw, 'enqueue');
  const dependsOn = [...new Set(input.dependsOn ?? [])];
  assertDependencyIds(dependsOn);
  const { record, event } = prepareJob(ctx, input, dependsOn, opts);
  const { job, inserted } =
    dependsOn.length === 0
      ? await ctx.store.jobInsert({ job: record, notify: readySignal(record), event })
      : await insertWithDependencies(ctx, [{ job: record, event, dependsOn }]).then((r) => r[0]!);
  // dedupeKey is unique per type across queues; the holder in another queue must not be answered
  // (a caller scoped to one queue never sees another's jobs), nor taken as this queue's job.
  if (!inserted && job.queue !== record.queue) {
    throw new QueueError(
      'job_state_conflict',
      `An unfinished ${input.type} job with this dedupeKey exists in another queue: a dedupeKey is unique per job type across all queues. Use a dedupeKey that names your queue (e.g. "${record.queue}:…").`,
    );
  }
  if (inserted && dependsOn.length === 0)
    ctx.observers.emit({ job, kind: event.kind, data: event.data, at: record.createdAt });
  // A task names the job it created: a duplicate would be another submitter's job under our task id.
  if (opts.taskId && !inserted) {
    throw new QueueError(
      'job_state_conflict',
      `An unfinished ${input.type} job already has this dedupeKey (job ${job.id}): await that job instead of submitting a task, or use another dedupeKey.`,
    );
  }
  return { job: toJob(job), deduplicated: !inserted };
}

/**
 * Inserts jobs with dependencies in one transaction (all or nothing), then tells observers and
 * wakes claimers of the inserted jobs that wait for nothing (a blocked job wakes nobody).
 */
export async function insertWithDependencies(
  ctx: Pick<QueueContext, 'store' | 'observers'>,
  jobs: { job: JobRecord; event: NewEvent; dependsOn: readonly string[] }[],
  field?: string,
): Promise<{ job: JobRecord; inserted: boolean }[]> {
  const out = insertedOrRefused(await ctx.store.jobsInsertWithDependencies({ jobs }), field);
  for (const [i, { job, inserted }] of out.entries()) {
    if (!inserted) continue;
    const { event } = jobs[i]!;
    ctx.observers.emit({ job, kind: event.kind, data: event.data, at: job.createdAt });
    if (job.pendingDependencies === 0) await ctx.store.notify(readySignal(job)).catch(() => undefined);
  }
  return out;
}
