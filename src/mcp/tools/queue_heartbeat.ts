import { heartbeatInput } from '../../queue/schemas.js';
import { leanHeartbeat } from '../answers.js';
import { heartbeatAnswer } from '../schema.js';
import { defineTool } from '../tool.js';
import { progressReporter } from './progress.js';
import { requestCancelled } from '../response-stream.js';

export const queueHeartbeat = defineTool({
  base: 'heartbeat',
  description: () =>
    'At each checkpoint, every few minutes at least: keeps your lease; obey action. ' +
    'pause: repeat with waitSeconds 50.',
  input: heartbeatInput.shape,
  output: heartbeatAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx, extra) =>
    // The request was cancelled, or this session is shutting down: stop holding and answer the last
    // beat. Not when only the HTTP response stream closes: a held beat claims nothing, and a client
    // on a resumable stream (event ids, Last-Event-ID) reconnects and still gets its answer.
    ctx.inFlight.withSignal(requestCancelled(extra), (signal) =>
      ctx.service
        .heartbeat(args, {
          signal,
          onWaiting: progressReporter(ctx, extra, 'paused; waiting for resume'),
        })
        .then(leanHeartbeat),
    ),
});
