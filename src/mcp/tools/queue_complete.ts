import { completeInput } from '../../queue/schemas.js';
import { leanFinish } from '../answers.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueComplete = defineTool({
  base: 'complete',
  description: () => 'Mark your job succeeded: resultSummary for people, result as JSON.',
  input: completeInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.complete(args).then(leanFinish),
});
