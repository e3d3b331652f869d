import { cancelInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueCancel = defineTool({
  base: 'cancel',
  title: 'Cancel a job',
  description: () =>
    'Cancel a queued job at once, or ask the worker of a running job to stop (it stays running until the worker ' +
    'acknowledges or its lease expires). Repeating is harmless.',
  input: cancelInput.omit({ requestedBy: true }).shape,
  output: jobAnswer,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  run: (args, ctx) => ctx.service.cancel({ ...args, requestedBy: ctx.identity() }),
});
