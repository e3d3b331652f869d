// Schemas as the MCP layer hands them to the SDK: input shapes from src/queue/schemas.ts, output
// shapes describing the answers of src/core/types.ts.
import { z } from 'zod';

/**
 * The SDK validates arguments against the input schema before a handler runs and answers a bad
 * call with a bare text message. To answer with the stable `invalid_argument` code and a fix-it
 * message instead, every field lets any value through (`catch` hands back the raw input) and the
 * service's own parse reports the problem. Hosts never see this wrapper: tools/list shows the
 * shared schema itself, strict (tools-list.ts). The SDK still converts this one to JSON Schema
 * before we replace it, and its emitter calls the catch without a context, hence `ctx?.`.
 */
export function lenient<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$loose> {
  const fields = Object.fromEntries(
    Object.entries(shape).map(([key, field]) => [
      key,
      (field as z.ZodType).catch((ctx: z.core.$ZodCatchCtx | undefined) => ctx?.value),
    ]),
  );
  return z.looseObject(fields) as unknown as z.ZodObject<T, z.core.$loose>;
}

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
export const heartbeatAnswer = {
  job: object,
  lease: object,
  system: object,
  action: z.enum(['continue', 'cancel', 'pause']),
};
export const heldAnswer = { jobs };
export const enqueueAnswer = { job: object, deduplicated: z.boolean() };
export const getAnswer = { job: object };
export const listAnswer = { jobs, nextCursor: z.string().nullable() };
export const pauseAnswer = { system: object, metrics: object, next: z.string() };
export const statusAnswer = { system: object, metrics: object };
