import { z } from 'zod';
import { enqueueInput } from '../../queue/schemas.js';
import { enqueueAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

// No `queue`: a scoped server puts every job in its own queue (scoped-queue.ts), others in `default`.
const shared = enqueueInput.omit({ createdBy: true, queue: true }).shape;

export const queueEnqueue = defineTool({
  base: 'enqueue',
  description: () => 'Add a job for a worker agent; payload: all it needs (instructions, repo, files).',
  input: {
    ...shared,
    type: shared.type.describe('e.g. "code.review"'),
    // Shown as format: date-time instead of zod's 400-byte ISO pattern; the service still checks it exactly.
    runAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe(shared.runAt.description ?? 'Not claimable before this ISO-8601 time.'),
  },
  output: enqueueAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx) => ctx.service.enqueue({ ...args, createdBy: ctx.identity() }),
});
