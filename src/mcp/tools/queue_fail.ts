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
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  leaseBound: true,
  run: (args, ctx) => ctx.service.fail(args),
});
