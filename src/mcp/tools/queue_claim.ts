import { tokenCapabilities, tokenTypes } from '../../queue/permissions.js';
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
  run: (args, ctx, extra) => {
    // A worker token narrows the server's scope (--types, --capabilities) to its own, never widens it.
    const p = ctx.principal;
    const types = p ? tokenTypes(ctx.worker.types, p) : ctx.worker.types;
    const capabilities = p ? tokenCapabilities(ctx.worker.capabilities, p) : ctx.worker.capabilities;
    // The caller went away, or this session is shutting down: stop waiting and answer `wait`.
    return ctx.inFlight.withSignal(extra.signal, (signal) =>
      ctx.service.claim(
        { ...args, workerId: ctx.identity(), capabilities },
        {
          signal,
          onWaiting: progressReporter(ctx, extra, 'waiting for a job'),
          ...(types ? { allowedTypes: types } : {}),
        },
      ),
    );
  },
});
