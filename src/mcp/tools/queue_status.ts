import { statusInput } from '../../queue/schemas.js';
import { statusAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueStatus = defineTool({
  base: 'status',
  description: () => 'Pause state, job counts, last N pauses (audit).',
  input: statusInput.omit({ queue: true }).shape,
  output: statusAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.control.status(args),
});
