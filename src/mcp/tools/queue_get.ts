import { getInput } from '../../queue/schemas.js';
import { getAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueGet = defineTool({
  base: 'get',
  description: () => 'One job; events: N adds its last N events.',
  input: getInput.omit({ queue: true }).shape,
  output: getAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.get(args),
});
