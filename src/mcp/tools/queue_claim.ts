import { claimScope } from '../../queue/permissions.js';
import { z } from 'zod';
import { claimInput } from '../../queue/schemas.js';
import { claimAnswer } from '../schema.js';
import { defineTool } from '../tool.js';
import { afterPendingIo } from '../../core/pending-io.js';
import { callerGone } from '../response-stream.js';
import { progressReporter } from './progress.js';

export const queueClaim = defineTool({
  base: 'claim',
  description: () =>
    'Take the next job. work: do job.payload; keep job.id, lease.token. ' +
    'wait: none yet; claim again (waitSeconds: wait for one).',
  // A filter is shown without the type pattern (queue_enqueue shows it); the service still checks it.
  input: {
    ...claimInput.pick({ leaseSeconds: true, waitSeconds: true }).shape,
    types: z.array(z.string()).optional(),
  },
  output: claimAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx, extra) => {
    // A worker token narrows the server's scope (--types, --capabilities) to its own, never widens it.
    const { types, capabilities } = claimScope(ctx.worker.types, ctx.worker.capabilities, ctx.principal);
    // The caller went away (request cancelled, HTTP response stream closed), or this session is
    // shutting down: stop waiting, and a job claimed by then is released by the service (the answer
    // is `wait`, which a client resuming its stream may still read: it just claims again).
    return ctx.inFlight.withSignal(callerGone(extra), async (signal) => {
      const answer = await ctx.service.claim(
        { ...args, workerId: ctx.identity(), capabilities },
        {
          signal,
          beforeAnswer: afterPendingIo,
          onWaiting: progressReporter(ctx, extra, 'waiting for a job'),
          ...(types ? { allowedTypes: types } : {}),
        },
      );
      const { job, lease } = answer;
      // Through a remote serve with a token, the server claimed as the token's name: so are we.
      if (job?.claimedBy && ctx.remote?.token) ctx.adoptIdentity(job.claimedBy);
      // Gone only as the answer is written (stdio: EPIPE): the transport reports it, and then too
      // the job goes back to the queue instead of waiting out a lease nobody holds.
      if (job && lease) {
        ctx.inFlight.onUndelivered(extra.requestId, () =>
          ctx.service.release({ jobId: job.id, leaseToken: lease.token, reason: 'answer_undelivered' }),
        );
      }
      return answer;
    });
  },
});
