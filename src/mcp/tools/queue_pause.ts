import { pauseInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queuePause = defineTool({
  base: 'pause',
  description: () =>
    'Stop new claims fleet-wide. drain: running jobs finish. quiesce: they also hold at their next checkpoint.',
  input: pauseInput.omit({ requestedBy: true, queue: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  run: (args, ctx) => ctx.service.control.pause({ ...args, requestedBy: ctx.identity() }),
});
