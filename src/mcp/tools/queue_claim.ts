import { claimInput } from '../../queue/schemas.js';
import { claimAnswer } from '../schema.js';
import { defineTool } from '../tool.js';
import { progressReporter } from './progress.js';

export const queueClaim = defineTool({
  base: 'claim',
  description: () =>
    'Take the next job. work: do job.payload, keep job.id and lease.token. ' +
    'wait: none came; claim again (waitSeconds waits for one).',
  input: claimInput.pick({ types: true, leaseSeconds: true, waitSeconds: true }).shape,
  output: claimAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx, extra) =>
    // The caller went away, or this session is shutting down: stop waiting and answer `wait`.
    ctx.inFlight.withSignal(extra.signal, (signal) =>
      ctx.service.claim(
        {
          ...args,
          workerId: ctx.identity(),
          capabilities: ctx.worker.capabilities,
        },
        {
          signal,
          onWaiting: progressReporter(ctx, extra, 'waiting for a job'),
          ...(ctx.worker.types ? { allowedTypes: ctx.worker.types } : {}),
        },
      ),
    ),
});
