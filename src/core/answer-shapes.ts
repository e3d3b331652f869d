// The shapes of the service's answers as every surface describes them: MCP's output schemas and
// REST's OpenAPI document. They name what an agent or a script branches on, not every field.
import { z } from 'zod';

// Output schemas describe, they do not repeat: objects are open (the answer carries every field of
// src/core/types.ts, or answers.ts for the lean ones) and name the top-level fields and the values
// an agent branches on; what is inside a job, lease or system block the descriptions and the server
// instructions say once, instead of every tool's schema in every agent's tools/list.
const object = z.looseObject({});
// An array of jobs: `items` would only repeat that each is an object.
const jobs = z.array(z.unknown());

export const jobAnswer = { job: object };
export const claimAnswer = {
  job: object.nullable(),
  lease: object.nullable(),
  system: object,
  action: z.enum(['work', 'wait']),
};
export const claimBatchAnswer = {
  jobs: z.array(z.looseObject({ job: object, lease: object })),
  system: object,
  action: z.enum(['work', 'wait']),
};
/** One entry per item, in order: `{job}` or `{error: {code, message}}`. */
export const completeBatchAnswer = { results: z.array(z.unknown()) };
export const heartbeatAnswer = {
  job: object,
  lease: object,
  system: object,
  action: z.enum(['continue', 'cancel', 'pause']),
};
export const heldAnswer = { jobs };
export const enqueueAnswer = { job: object, deduplicated: z.boolean() };
/** A graph enqueue: `{ref, job, deduplicated}` per job, in input order. */
export const graphAnswer = { jobs };
/** queue_enqueue answers either shape: one job, or `jobs` for a graph. */
export const enqueueEitherAnswer = {
  job: object.optional(),
  deduplicated: z.boolean().optional(),
  jobs: jobs.optional(),
};
export const getAnswer = { job: object };
export const listAnswer = { jobs, nextCursor: z.string().nullable() };
export const pauseAnswer = { system: object, metrics: object, next: z.string() };
export const statusAnswer = { system: object, metrics: object };
/** A producer's wait: the job without its payload, and whether it ended. */
export const waitAnswer = { job: object, done: z.boolean() };
