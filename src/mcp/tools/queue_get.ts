import { getInput } from '../../queue/schemas.js';
import { getAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueGet = defineTool({
  base: 'get',
  title: 'Get a job',
  description: () =>
    'Read one job (status, progress, result, error); events: N adds its latest N timeline events.',
  input: getInput.shape,
  output: getAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.get(args),
});
