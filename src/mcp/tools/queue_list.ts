import { listInput } from '../../queue/schemas.js';
import { listAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueList = defineTool({
  base: 'list',
  description: (name) =>
    'Jobs, newest first. Pass nextCursor as cursor for the next page. ' +
    `Without payload and result unless full: true (or ${name('get')}).`,
  input: listInput.shape,
  output: listAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.list(args),
});
