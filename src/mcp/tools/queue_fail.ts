import { failInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueFail = defineTool({
  base: 'fail',
  title: 'Fail your job',
  description: () =>
    'Give up on the job you hold. retryable (default true) requeues it with backoff while attempts remain; ' +
    'set false when retrying cannot help.',
  input: failInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.fail(args),
});
