import { completeInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueComplete = defineTool({
  base: 'complete',
  title: 'Complete your job',
  description: () =>
    'Finish the job you hold as succeeded. Put the outcome in resultSummary (short, for people) and result (JSON).',
  input: completeInput.shape,
  output: jobAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  leaseBound: true,
  run: (args, ctx) => ctx.service.complete(args),
});
