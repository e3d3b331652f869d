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
  run: async (_args, ctx) => {
    const answer = await ctx.service.held({ workerId: ctx.identity() });
    if (ctx.worker.id !== undefined) return answer;
    // An empty list under a per-session id says nothing about jobs claimed before a restart.
    return {
      ...answer,
      note: 'This worker id is new with this session, so jobs claimed before a restart are not listed. Set AGENT_QUEUE_WORKER_ID (or --worker-id) in the MCP config to keep one id across restarts.',
    };
  },
});
