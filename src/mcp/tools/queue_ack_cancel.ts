import { ackCancelInput } from '../../queue/schemas.js';
import { leanFinish } from '../answers.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueAckCancel = defineTool({
  base: 'ack_cancel',
  description: () => 'Mark your job cancelled once you stopped for a cancel; message: what is undone.',
  input: ackCancelInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.ackCancel(args).then(leanFinish),
});
