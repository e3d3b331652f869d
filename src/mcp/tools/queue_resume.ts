import { resumeInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueResume = defineTool({
  base: 'resume',
  description: () => 'Let workers claim again; after a drain, needs force: true while jobs run.',
  input: resumeInput.omit({ requestedBy: true, queue: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx) => ctx.service.control.resume({ ...args, requestedBy: ctx.identity() }),
});
