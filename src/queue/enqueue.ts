// Enqueue (SPEC §6): validate, decide when it runs, insert, or answer the unfinished job that
// already holds the same (type, dedupeKey).
import { QueueError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { QueueContext } from './context.js';
import * as S from './schemas.js';
import { newJobRecord } from './transitions.js';
import { assertJsonWithinLimit, parseInput } from './validate.js';
import { toJob } from './view.js';
import { readySignal } from './wakeups.js';

export interface EnqueueOptions {
  /** Submitted as an MCP task: the task's id, stored with the job (never shown in a Job). */
  taskId?: string;
}

export async function enqueue(
  ctx: QueueContext,
  raw: S.EnqueueInput,
  opts: EnqueueOptions = {},
): Promise<{ job: Job; deduplicated: boolean }> {
  const input = parseInput(S.enqueueInput, raw, 'enqueue');
  assertJsonWithinLimit('payload', input.payload, ctx.settings.payloadLimitBytes);
  if (input.runAt !== undefined && input.delaySeconds !== undefined) {
    throw new QueueError(
      'invalid_argument',
      'Invalid enqueue arguments: give runAt or delaySeconds, not both.',
    );
  }
  const now = ctx.clock.now();
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
  const event = {
    level: 'info' as const,
    kind: 'enqueued',
    message: null,
    data: { priority: record.priority, runAt: runAt.toISOString() },
  };
  const { job, inserted } = await ctx.store.jobInsert({ job: record, notify: readySignal(record), event });
  // dedupeKey is unique per type across queues; the holder in another queue must not be answered
  // (a caller scoped to one queue never sees another's jobs), nor taken as this queue's job.
  if (!inserted && job.queue !== record.queue) {
    throw new QueueError(
      'job_state_conflict',
      `An unfinished ${input.type} job with this dedupeKey exists in another queue: a dedupeKey is unique per job type across all queues. Use a dedupeKey that names your queue (e.g. "${record.queue}:…").`,
    );
  }
  if (inserted) ctx.observers.emit({ job, kind: event.kind, data: event.data, at: now });
  // A task names the job it created: a duplicate would be another submitter's job under our task id.
  if (opts.taskId && !inserted) {
    throw new QueueError(
      'job_state_conflict',
      `An unfinished ${input.type} job already has this dedupeKey (job ${job.id}): await that job instead of submitting a task, or use another dedupeKey.`,
    );
  }
  return { job: toJob(job), deduplicated: !inserted };
}
