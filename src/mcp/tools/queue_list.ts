import { z } from 'zod';
import { listInput } from '../../queue/schemas.js';
import { listAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueList = defineTool({
  base: 'list',
  description: () => 'Jobs, newest first; pass nextCursor as cursor. No payload/result unless full: true.',
  // A filter is shown without the type pattern (queue_enqueue shows it); the service still checks it.
  input: { ...listInput.omit({ queue: true }).shape, type: z.string().optional() },
  output: listAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.list(args),
});
