import { heldAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueHeld = defineTool({
  base: 'held',
  title: 'Jobs you hold',
  description: (n) =>
    `Your running jobs with lease tokens, e.g. after a restart; ${n('heartbeat')} each, then carry on. ` +
    'Survives a restart only under a fixed AGENT_QUEUE_WORKER_ID.',
  input: {},
  output: heldAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  // Always this session's own identity: a token is shown to the worker that holds the job only.
  run: (_args, ctx) => ctx.service.held({ workerId: ctx.identity() }),
});
