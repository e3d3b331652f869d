import { waitAnswer } from '../../core/answer-shapes.js';
import { waitInput } from '../../queue/schemas.js';
import { defineTool } from '../tool.js';
import { progressReporter } from './progress.js';
import { requestCancelled } from '../response-stream.js';

export const queueWait = defineTool({
  base: 'wait',
  description: () =>
    'Wait ≤ waitSeconds for a job to end. done: job has result or errorMessage; else call again.',
  input: waitInput.omit({ queue: true }).shape,
  output: waitAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx, extra) =>
    // The caller went away, or this session is shutting down: answer the job as it is now.
    ctx.inFlight.withSignal(requestCancelled(extra), (signal) =>
      ctx.service.wait(args, {
        signal,
        onWaiting: progressReporter(ctx, extra, 'waiting for the job to end'),
      }),
    ),
});
