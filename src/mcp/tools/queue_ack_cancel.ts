import { ackCancelInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueAckCancel = defineTool({
  base: 'ack_cancel',
  title: 'Acknowledge a cancellation',
  description: (n) =>
    `After ${n('heartbeat')} answered action "cancel" and you stopped: mark the job cancelled. Say what was left undone in message.`,
  input: ackCancelInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.ackCancel(args),
});
