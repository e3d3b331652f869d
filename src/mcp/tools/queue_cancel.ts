import { cancelInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueCancel = defineTool({
  base: 'cancel',
  description: () =>
    'Cancel a job: queued ends now; running is asked to stop and ends when its worker acknowledges.',
  input: cancelInput.omit({ requestedBy: true, queue: true }).shape,
  output: jobAnswer,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  run: (args, ctx) => ctx.service.cancel({ ...args, requestedBy: ctx.identity() }),
});
