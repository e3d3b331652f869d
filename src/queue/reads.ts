// Reads (SPEC §6): one job with its latest events, a page of jobs, a job's timeline.
import type { DependencyView, Job, JobEvent, JobPage, JobStatus } from '../core/types.js';
import { toDependencyView } from './dependencies.js';
import type { QueueContext } from './context.js';
import { inQueue, notFound } from './errors.js';
import { toPage } from './page.js';
import * as S from './schemas.js';
import { parseInput } from './validate.js';
import { decodeCursor, toJob } from './view.js';

export interface GetAnswer {
  job: Job;
  events?: JobEvent[];
  dependencies?: DependencyView[];
}

export async function get(ctx: QueueContext, raw: S.GetInput): Promise<GetAnswer> {
  const input = parseInput(S.getInput, raw, 'get');
  // Two statements, two snapshots: the events are read first, so the row is at least as new as the
  // newest event shown. A caller that sees an event (say `released`) then sees the row it wrote.
  const events =
    input.events === 0
      ? undefined
      : await ctx.store.eventsList({ jobId: input.jobId, limit: input.events, latest: true });
  const job = inQueue(await ctx.store.jobGet({ id: input.jobId }), input.queue);
  if (!job) throw notFound(input.jobId);
  const answer: GetAnswer = { job: toJob(job) };
  if (events) answer.events = events;
  if (input.dependencies) {
    answer.dependencies = (await ctx.store.jobDependencies({ id: job.id })).map(toDependencyView);
  }
  return answer;
}

/** Summaries (no payload, result) unless `full`; a page also ends at a byte budget (page.ts). */
export async function list(ctx: QueueContext, raw: S.ListInput): Promise<JobPage> {
  const input = parseInput(S.listInput, raw, 'list');
  const before = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await ctx.store.jobList({
    limit: input.limit + 1,
    ...(input.queue !== undefined ? { queue: input.queue } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.type ? { type: input.type } : {}),
    ...(input.claimedBy ? { claimedBy: input.claimedBy } : {}),
    ...(before ? { before } : {}),
  });
  return toPage(rows, input.limit, input.full);
}

export async function events(ctx: QueueContext, raw: S.EventsInput): Promise<{ events: JobEvent[] }> {
  const input = parseInput(S.eventsInput, raw, 'events');
  const job = inQueue(await ctx.store.jobGet({ id: input.jobId }), input.queue);
  if (!job) throw notFound(input.jobId);
  const events = await ctx.store.eventsList({
    jobId: input.jobId,
    limit: input.limit,
    ...(input.after !== undefined ? { after: input.after } : {}),
  });
  return { events };
}

export type JobTally = { status: JobStatus; type: string; count: number }[];

/** Jobs per (status, type) for metrics: one grouped query, at most `limit` groups. */
export function tally(ctx: QueueContext, limit: number): Promise<JobTally> {
  return ctx.store.jobTally({ limit });
}
