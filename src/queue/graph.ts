// A graph enqueue (SPEC §16): a few jobs and their dependencies in one call, named by refs local
// to the call, all inserted in one transaction or none. An agent decomposes work (implement → test
// → review) in one step.
import { echo } from '../core/echo.js';
import { QueueError } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import type { Job } from '../core/types.js';
import type { QueueContext } from './context.js';
import { insertWithDependencies, prepareJob } from './enqueue.js';
import * as S from './schemas.js';
import { parseInput } from './validate.js';
import { toJob } from './view.js';

export interface GraphAnswer {
  /** In input order. */
  jobs: { ref: string; job: Job; deduplicated: boolean }[];
}

type Edge = { ref: string } | { id: string };

export async function enqueueGraph(ctx: QueueContext, raw: S.EnqueueGraphInput): Promise<GraphAnswer> {
  const input = parseInput(S.enqueueGraphInput, raw, 'enqueue');
  const refs = input.jobs.map((j) => j.ref);
  const edges = resolveEdges(input.jobs);
  const order = insertionOrder(refs, edges);
  const now = ctx.clock.now();
  // Ids are drawn before anything is inserted, so that each ref resolves to its job's id.
  const made = input.jobs.map(({ ref: _ref, dependsOn: _deps, ...fields }) =>
    prepareJob(ctx, fields, [], { now }),
  );
  const idOf = (e: Edge) => ('id' in e ? e.id : made[refs.indexOf(e.ref)]!.record.id);
  const jobs = order.map((i) => {
    const dependsOn = [...new Set(edges[i]!.map(idOf))];
    const { record, event } = made[i]!;
    const data = dependsOn.length > 0 ? { ...(event.data as object), dependsOn } : event.data;
    return { job: record, event: { ...event, data }, dependsOn };
  });
  const out = await insertWithDependencies(ctx, jobs, 'jobs[].dependsOn');
  const answer = new Array<GraphAnswer['jobs'][number]>(input.jobs.length);
  order.forEach((i, n) => {
    const { job, inserted } = out[n]!;
    answer[i] = { ref: refs[i]!, job: toJob(job), deduplicated: !inserted };
  });
  return { jobs: answer };
}

/** Each job's dependencies, as refs of this call or ids of existing jobs; refuses duplicate refs and names that are neither. */
function resolveEdges(jobs: readonly { ref: string; dependsOn?: string[] | undefined }[]): Edge[][] {
  const refs = new Set<string>();
  for (const { ref } of jobs) {
    if (refs.has(ref)) {
      throw new QueueError(
        'invalid_argument',
        `Invalid enqueue arguments: ref "${echo(ref)}" names two jobs; give each job its own ref.`,
      );
    }
    refs.add(ref);
  }
  return jobs.map(({ ref, dependsOn = [] }) =>
    dependsOn.map((name): Edge => {
      if (refs.has(name)) return { ref: name };
      const id = name.toLowerCase();
      if (isUuid(id)) return { id };
      throw new QueueError(
        'invalid_argument',
        `Invalid enqueue arguments: job "${echo(ref)}" depends on "${echo(name)}", which is neither a ref in this call nor a job id.`,
      );
    }),
  );
}

/**
 * An order in which every job comes after the jobs of this call it depends on (input order where
 * free), or a refusal naming a cycle, e.g. "a → b → a" (a job depending on itself is one too).
 */
export function insertionOrder(refs: readonly string[], edges: readonly Edge[][]): number[] {
  const index = new Map(refs.map((r, i) => [r, i]));
  const state = new Array<'visiting' | 'done' | undefined>(refs.length);
  const order: number[] = [];
  const path: number[] = [];
  const visit = (i: number): void => {
    if (state[i] === 'done') return;
    if (state[i] === 'visiting') {
      const cycle = [...path.slice(path.indexOf(i)), i].map((n) => refs[n]!);
      throw new QueueError(
        'invalid_argument',
        `Invalid enqueue arguments: the dependencies form a cycle (${cycle.map((r) => echo(r)).join(' → ')}), so none of these jobs could ever run. Remove one of these dependencies.`,
        { details: { cycle } },
      );
    }
    state[i] = 'visiting';
    path.push(i);
    for (const e of edges[i]!) if ('ref' in e) visit(index.get(e.ref)!);
    path.pop();
    state[i] = 'done';
    order.push(i);
  };
  refs.forEach((_r, i) => visit(i));
  return order;
}
