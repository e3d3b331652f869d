import { listInput } from '../../queue/schemas.js';
import { listAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueList = defineTool({
  base: 'list',
  title: 'List jobs',
  description: (name) =>
    'List jobs, newest first, by status and type. Pass nextCursor as cursor for the next page. ' +
    `Summaries only: ${name('get')} has payload and result.`,
  input: listInput.shape,
  output: listAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  run: (args, ctx) => ctx.service.list(args),
});
