// The body of POST /api/system/worker-pause, made from the shared pause and resume schemas: the
// `paused` flag picks which. Only the document uses it; the service parses the rest itself.
import { z } from 'zod';
import { pauseInput, resumeInput } from '../../queue/schemas.js';

export const workerPauseInput = z.discriminatedUnion('paused', [
  pauseInput.extend({ paused: z.literal(true).describe('true: pause the fleet (or `queue`).') }),
  resumeInput.extend({ paused: z.literal(false).describe('false: resume the fleet (or `queue`).') }),
]);
