import { z } from 'zod';
import { QueueError } from '../../core/errors.js';
import { MAX_GRAPH_JOBS, enqueueInput, type EnqueueGraphInput } from '../../queue/schemas.js';
import { enqueueEitherAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

// No `queue`: a scoped server puts every job in its own queue (scoped-queue.ts), others in `default`.
const shared = enqueueInput.omit({ createdBy: true, queue: true }).shape;

// What a call without those fields parses to: with `jobs`, anything else is a field of one job sent by mistake.
const { type: _type, ...SINGLE_DEFAULTS } = enqueueInput.parse({ type: 'x' }) as Record<string, unknown>;

export const queueEnqueue = defineTool({
  base: 'enqueue',
  description: () => 'Add a job for a worker agent; payload: all it needs (instructions, repo, files).',
  input: {
    ...shared,
    // Shown without the capability pattern (as claim's filters are); the service still checks it.
    requiredCapabilities: z.array(z.string()).optional().describe('Workers need all of these.'),
    // Required unless `jobs` is given; the service says so when neither is.
    type: shared.type.optional().describe('e.g. "code.review"'),
    // Shown as format: date-time instead of zod's 400-byte ISO pattern; the service still checks it exactly.
    runAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe(shared.runAt.description ?? 'Not claimable before this ISO-8601 time.'),
    // Each item is checked by the service against the full job schema (plus ref); not repeated here.
    jobs: z
      .array(z.looseObject({}))
      .max(MAX_GRAPH_JOBS)
      .optional()
      .describe('Or a graph: jobs of these fields + ref; dependsOn takes refs.'),
  },
  output: enqueueEitherAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  run: (args, ctx) => {
    const { jobs, ...single } = args;
    if (jobs === undefined) {
      if (single.type === undefined) {
        throw new QueueError(
          'invalid_argument',
          'Invalid enqueue arguments: type is required (one job), or give jobs (several, with dependencies).',
        );
      }
      return ctx.service.enqueue({ ...single, type: single.type, createdBy: ctx.identity() });
    }
    const stray = Object.entries(single).filter(
      ([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(SINGLE_DEFAULTS[k]),
    );
    if (stray.length > 0) {
      throw new QueueError(
        'invalid_argument',
        `Invalid enqueue arguments: give jobs, or one job's fields, not both; move ${stray.map(([k]) => k).join(', ')} into the jobs it belongs to.`,
      );
    }
    const graph = jobs.map((j) => ({ ...j, createdBy: ctx.identity() })) as EnqueueGraphInput['jobs'];
    return ctx.service.enqueueGraph({ jobs: graph });
  },
});
