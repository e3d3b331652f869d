import { enqueueInput } from '../../queue/schemas.js';
import { defineTool } from '../tool.js';
import { waitAnswer } from './queue_wait.js';

// Only what delegating a piece of work needs: queue_enqueue has the rest (priority, delays, dedupe).
export const submitInput = enqueueInput.pick({ type: true, payload: true }).shape;

/**
 * Called without a task (the client did not ask for one), queue_submit answers at once with the
 * queued job, as queue_wait would at its deadline; called as a task (../tasks.ts) the task is the job.
 */
export const queueSubmit = defineTool({
  base: 'submit',
  description: (n) =>
    `Enqueue a job; as an MCP task, its result is the job's. Called plainly: done false, then ${n('wait')}.`,
  input: submitInput,
  output: waitAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: async (args, ctx) => {
    const { job } = await ctx.service.enqueue({ ...args, createdBy: ctx.identity() });
    const { payload: _payload, ...rest } = job;
    return { job: rest, done: false };
  },
});
