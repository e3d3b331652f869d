import { claimInput } from '../../queue/schemas.js';
import { claimAnswer } from '../schema.js';
import { defineTool, type Extra, type ToolContext } from '../tool.js';

export const queueClaim = defineTool({
  base: 'claim',
  title: 'Claim the next job',
  description: (n) =>
    'Take the next job to work on. action "work": do job.payload, keep lease.token for ' +
    `${n('heartbeat')} / ${n('complete')} / ${n('fail')}. action "wait": nothing to do now (or workers are paused): ` +
    'call again after retryAfterSeconds, or pass waitSeconds (≤ 50) to wait here for a job.',
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
          onWaiting: progressReporter(ctx, extra),
          ...(ctx.worker.types ? { allowedTypes: ctx.worker.types } : {}),
        },
      ),
    ),
});

/** Progress notifications while a long-poll waits, only when the client asked for them. */
function progressReporter(ctx: ToolContext, extra: Extra) {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (waited: number, total: number) => {
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: Math.round(waited), total, message: 'waiting for a job' },
      })
      .catch((err: unknown) => ctx.log?.debug({ err }, 'progress notification not delivered'));
  };
}
