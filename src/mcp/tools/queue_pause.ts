import { pauseInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queuePause = defineTool({
  base: 'pause',
  title: 'Pause the worker fleet',
  description: (n) =>
    'Stop new claims on every worker. drain: running jobs finish normally. quiesce: running jobs also stop at their ' +
    `next checkpoint until ${n('resume')}. Watch metrics.isDrained before upgrading.`,
  input: pauseInput.omit({ requestedBy: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  run: (args, ctx) => ctx.service.control.pause({ ...args, requestedBy: ctx.identity() }),
});
