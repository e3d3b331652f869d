import { claimInput } from '../../queue/schemas.js';
import { claimAnswer } from '../schema.js';
import { defineTool } from '../tool.js';
import { afterPendingIo } from '../in-flight.js';
import { callerGone } from '../response-stream.js';
import { progressReporter } from './progress.js';

export const queueClaim = defineTool({
  base: 'claim',
  title: 'Claim the next job',
  description: (n) =>
    'Take the next job to work on. action "work": do job.payload, keep lease.token for ' +
    `${n('heartbeat')} / ${n('complete')} / ${n('fail')}. Pass waitSeconds (≤ 50) to wait here for a job ` +
    '(also through a pause, until resume). action "wait": nothing came in time; claim again.',
  input: claimInput.pick({ types: true, leaseSeconds: true, waitSeconds: true }).shape,
  output: claimAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx, extra) =>
    // The caller went away, or this session is shutting down: stop waiting, and a job claimed by
    // then is released by the service (the answer is `wait`; nobody would receive it).
    ctx.inFlight.withSignal(callerGone(extra), async (signal) => {
      const answer = await ctx.service.claim(
        {
          ...args,
          workerId: ctx.identity(),
          capabilities: ctx.worker.capabilities,
        },
        {
          signal,
          beforeAnswer: afterPendingIo,
          onWaiting: progressReporter(ctx, extra, 'waiting for a job'),
          ...(ctx.worker.types ? { allowedTypes: ctx.worker.types } : {}),
        },
      );
      const { job, lease } = answer;
      // Gone only as the answer is written (stdio: EPIPE): the transport reports it, and then too
      // the job goes back to the queue instead of waiting out a lease nobody holds.
      if (job && lease) {
        ctx.inFlight.onUndelivered(extra.requestId, () =>
          ctx.service.release({ jobId: job.id, leaseToken: lease.token, reason: 'answer_undelivered' }),
        );
      }
      return answer;
    }),
});
