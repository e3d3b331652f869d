import { z } from 'zod';
import { listInput } from '../../queue/schemas.js';
import { listAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueList = defineTool({
  base: 'list',
  description: (name) =>
    'Jobs, newest first; nextCursor → cursor pages on. ' +
    `No payload or result unless full: true (or ${name('get')}).`,
  // A filter is shown without the type pattern (queue_enqueue shows it); the service still checks it.
  input: { ...listInput.shape, type: z.string().optional() },
  output: listAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.list(args),
});
