import { completeInput } from '../../queue/schemas.js';
import { jobAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueComplete = defineTool({
  base: 'complete',
  title: 'Complete your job',
  description: () =>
    'Finish the job you hold as succeeded. Put the outcome in resultSummary (short, for people) and result (JSON). ' +
    'Safe to retry with the same arguments: it answers the same job.',
  input: completeInput.shape,
  output: jobAnswer,
  // Repeating the same call with the same lease token answers the same outcome and writes nothing.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  leaseBound: true,
  run: (args, ctx) => ctx.service.complete(args),
});
