import { heartbeatInput } from '../../queue/schemas.js';
import { heartbeatAnswer } from '../schema.js';
import { defineTool } from '../tool.js';
import { callerGone } from '../response-stream.js';
import { progressReporter } from './progress.js';

export const queueHeartbeat = defineTool({
  base: 'heartbeat',
  title: 'Report progress and keep the lease',
  description: (n) =>
    'Call at each checkpoint (at least every few minutes) while working; then obey action. ' +
    `"continue": keep going. "cancel": stop and call ${n('ack_cancel')}. "pause": stop at this checkpoint and ` +
    'heartbeat again with waitSeconds 50 (it answers as soon as the pause ends) until "continue". ' +
    'Error lease_lost: stop, the job is no longer yours.',
  input: heartbeatInput.shape,
  output: heartbeatAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx, extra) =>
    // The caller went away, or this session is shutting down: stop holding and answer the last beat.
    ctx.inFlight.withSignal(callerGone(extra), (signal) =>
      ctx.service.heartbeat(args, {
        signal,
        onWaiting: progressReporter(ctx, extra, 'paused; waiting for resume'),
      }),
    ),
});
