import { failInput } from '../../queue/schemas.js';
import { leanFinish } from '../answers.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueFail = defineTool({
  base: 'fail',
  description: () => 'Give up on your job: retried while attempts remain unless retryable: false.',
  input: failInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.fail(args).then(leanFinish),
});
