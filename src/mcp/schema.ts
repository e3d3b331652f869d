// Schemas as the MCP layer hands them to the SDK: input shapes from src/queue/schemas.ts, output
// shapes from src/core/answer-shapes.ts.
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

// The answers' shapes live in src/core (REST's OpenAPI document describes the same answers).
export * from '../core/answer-shapes.js';
