import { heartbeatInput } from '../../queue/schemas.js';
import { heartbeatAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueHeartbeat = defineTool({
  base: 'heartbeat',
  title: 'Report progress and keep the lease',
  description: (n) =>
    'Call at each checkpoint (at least every few minutes) while working; then obey action. ' +
    `"continue": keep going. "cancel": stop and call ${n('ack_cancel')}. "pause": stop at this checkpoint and ` +
    'heartbeat every minute until "continue". Error lease_lost: stop, the job is no longer yours.',
  input: heartbeatInput.shape,
  output: heartbeatAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.heartbeat(args),
});
