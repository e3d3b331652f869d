import { pauseInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queuePause = defineTool({
  base: 'pause',
  title: 'Pause the worker fleet',
  description: (n) =>
    'Stop new claims on every worker. drain: running jobs finish normally; before upgrading wait until ' +
    `metrics.isDrained (${n('status')}). quiesce: running jobs also stop at their next checkpoint and keep ` +
    `heartbeating, so they stay running and the fleet never drains; ${n('resume')} lets them continue.`,
  input: pauseInput.omit({ requestedBy: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  run: (args, ctx) => ctx.service.control.pause({ ...args, requestedBy: ctx.identity() }),
});
