import { resumeInput } from '../../queue/schemas.js';
import { pauseAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueResume = defineTool({
  base: 'resume',
  title: 'Resume the worker fleet',
  description: () =>
    'Let workers claim again and continue paused jobs. After a drain it is refused while jobs still run ' +
    'unless force: true; after a quiesce it is never refused (the held jobs are meant to continue).',
  input: resumeInput.omit({ requestedBy: true }).shape,
  output: pauseAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx) => ctx.service.control.resume({ ...args, requestedBy: ctx.identity() }),
});
