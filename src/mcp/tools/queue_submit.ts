import { enqueueInput } from '../../queue/schemas.js';
import { defineTool } from '../tool.js';
import { waitAnswer } from '../../core/answer-shapes.js';
import { withoutPayload } from '../../queue/view.js';

// Only what delegating a piece of work needs: queue_enqueue has the rest (priority, delays, dedupe).
// The payload limit is said once, by queue_enqueue: every byte of tools/list is paid by every agent.
export const submitInput = {
  type: enqueueInput.shape.type,
  payload: enqueueInput.shape.payload.meta({ description: undefined }),
};

/**
 * Called without a task (the client did not ask for one), queue_submit answers at once with the
 * queued job, as queue_wait would at its deadline; called as a task (../tasks.ts) the task is the job.
 */
export const queueSubmit = defineTool({
  base: 'submit',
  description: (n) => `Enqueue a job; as an MCP task its result is the job's, else then call ${n('wait')}.`,
  input: submitInput,
  output: waitAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: async (args, ctx) => {
    const { job } = await ctx.service.enqueue({ ...args, createdBy: ctx.identity() });
    return { job: withoutPayload(job), done: false };
  },
});
