import { resumeInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueResume = defineTool({
  base: 'resume',
  description: () =>
    'Let workers claim again; held jobs go on. After a drain, refused while jobs run unless force: true.',
  input: resumeInput.omit({ requestedBy: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx) => ctx.service.control.resume({ ...args, requestedBy: ctx.identity() }),
});
