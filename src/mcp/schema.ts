// Schemas as the MCP layer hands them to the SDK: input shapes from src/queue/schemas.ts, output
// shapes describing the answers of src/queue/types.ts.
import { z } from 'zod';
import { JOB_STATUSES } from '../core/types.js';

/**
 * The SDK validates arguments against the input schema before a handler runs and answers a bad
 * call with a bare text message. To answer with the stable `invalid_argument` code and a fix-it
 * message instead, every field lets any value through (`catch` hands back the raw input) and the
 * service's own parse reports the problem. The JSON Schema a host sees is unchanged: types,
 * limits, descriptions and required fields come from the shared schema (the JSON Schema emitter
 * calls the catch without a context, hence `ctx?.`; `default` values are not shown, descriptions say them).
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

// Output objects are loose and name only the fields an agent branches on: the answer carries every
// field (src/queue/types.ts), and each declared property costs context in every tools/list.
export const jobOut = z.looseObject({ id: z.string(), type: z.string(), status: z.enum(JOB_STATUSES) });
export const leaseOut = z.looseObject({ token: z.string(), expiresAt: z.string() });
export const systemOut = z.looseObject({
  workersPaused: z.boolean(),
  mode: z.enum(['drain', 'quiesce']).nullable(),
  version: z.number(),
});
export const metricsOut = z.looseObject({ running: z.number(), isDrained: z.boolean() });
const eventOut = z.looseObject({ kind: z.string() });
const auditOut = z.looseObject({ action: z.enum(['pause', 'resume']) });

export const jobAnswer = { job: jobOut };
export const claimAnswer = {
  job: jobOut.nullable(),
  lease: leaseOut.nullable(),
  system: systemOut,
  action: z.enum(['work', 'wait']),
  retryAfterSeconds: z.number().optional(),
};
export const heartbeatAnswer = {
  job: jobOut,
  lease: leaseOut,
  system: systemOut,
  action: z.enum(['continue', 'cancel', 'pause']),
};
export const enqueueAnswer = { job: jobOut, deduplicated: z.boolean() };
export const getAnswer = { job: jobOut, events: z.array(eventOut).optional() };
// List pages carry summaries (no payload, result: JobSummary); jobOut names no field they lack.
export const listAnswer = { jobs: z.array(jobOut), nextCursor: z.string().nullable() };
export const pauseAnswer = {
  system: systemOut,
  metrics: metricsOut,
  changed: z.boolean(),
  next: z.string().describe('What happens to running jobs now and how the pause ends, for this mode.'),
};
export const statusAnswer = { system: systemOut, metrics: metricsOut, audit: z.array(auditOut) };
