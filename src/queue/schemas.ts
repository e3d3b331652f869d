// One zod schema per operation input, shared by the service, MCP, REST and CLI (SPEC §6).
// Objects are strict: an unknown field is a mistake worth reporting, not silently dropping.
import { z } from 'zod';
import type { JsonObject } from '../core/types.js';

export const TYPE_PATTERN = /^[a-z0-9][a-z0-9._:-]*$/;
export const MAX_CLAIM_WAIT_SECONDS = 50;
export const MAX_LEASE_SECONDS = 86_400;
export const MAX_LIST_LIMIT = 200;
export const MAX_DEPENDENCIES = 32;
export const MAX_GRAPH_JOBS = 20;

// A number sent as a plain decimal string ("5", "-2", "0.5"): some clients and models quote numbers.
const DECIMAL = /^-?\d+(\.\d+)?$/;
// Longest such string read as a number: plenty for any real value, and a 400-digit one would become
// Infinity and be refused as "received Infinity" instead of naming what was sent.
const MAX_DECIMAL_LENGTH = 30;
// Longest string a refusal repeats; longer ones are described by their length.
const MAX_ECHOED_STRING = 24;

/**
 * A number field that also takes a plain decimal string, read as that number: the meaning is
 * unambiguous. Anything else in a string ("5x", "", " ", "1e3", 400 digits) stays refused, saying why. The
 * JSON Schema a host sees is the number's (type number or integer, with its limits).
 */
function numeric<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    if (value.length <= MAX_DECIMAL_LENGTH && DECIMAL.test(value)) return Number(value);
    const shown =
      value.length > MAX_ECHOED_STRING ? `a string of ${value.length} characters` : JSON.stringify(value);
    ctx.addIssue({
      code: 'custom',
      message: `expected a number such as 5, got ${shown} (a string is read as a number only when it is one, of at most ${MAX_DECIMAL_LENGTH} characters, like "5" or "0.5")`,
    });
    return value;
  }, schema);
}

const jobType = z
  .string()
  .min(1)
  .max(64)
  .regex(
    TYPE_PATTERN,
    'must be lowercase letters, digits and . _ : - (starting with a letter or digit), e.g. "code.review"',
  );
const capability = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits and . _ : -');
// Lowercased: ids are UUIDs, and SQLite compares text case-sensitively where PostgreSQL's uuid does not.
const jobId = z
  .string()
  .min(1)
  .max(64)
  .transform((s) => s.toLowerCase());
const leaseToken = z.string().min(1).max(128);
/** A named queue: a project's or a team's share of the jobs. Same alphabet as a job type. */
export const queueName = z
  .string()
  .min(1)
  .max(64)
  .regex(
    TYPE_PATTERN,
    'must be lowercase letters, digits and . _ : - (starting with a letter or digit), e.g. "acme-api"',
  );
export const DEFAULT_QUEUE = 'default';
// `queue` on reads, operator calls and calls naming a job: one named queue (docs/queues.md); a job
// of another queue is not_found. MCP tools never offer it: a scoped server sets it itself, so an
// agent cannot reach past its scope with an argument.
const inQueue = queueName.optional();
export const concurrencyKey = z
  .string()
  .min(1)
  .max(200)
  .describe('Jobs sharing a key run one at a time (or up to its limit).');
const workerId = z
  .string()
  .min(1)
  .max(200)
  .describe('A stable name for this worker, e.g. "laptop-claude-1".');
const leaseSeconds = numeric(z.int().min(1).max(MAX_LEASE_SECONDS));
const reason = z.string().min(1).max(2000);
const actor = z.string().min(1).max(200).describe('Who is asking (shown in the timeline and audit).');

const isPlainObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * A JSON object, passed through exactly as sent. z.record would copy it key by key, and assigning
 * an own "__proto__" key (as JSON.parse makes it) sets the copy's prototype instead: the key is lost.
 * `unknown` first, so hosts see `type: object` in the JSON Schema; the check itself copies nothing.
 */
const jsonObject = z
  .unknown()
  .pipe(z.custom<JsonObject>(isPlainObject, 'expected a JSON object such as {"key": "value"}'))
  .meta({ type: 'object' });

export const enqueueInput = z.strictObject({
  type: jobType,
  payload: jsonObject.default({}).describe('Up to 256 KiB by default.'),
  priority: numeric(z.int().min(-1_000_000).max(1_000_000)).default(0).describe('Higher runs first.'),
  requiredCapabilities: z.array(capability).max(32).default([]).describe('Workers need all of these.'),
  runAt: z.iso
    .datetime({
      offset: true,
      error:
        'must be an ISO-8601 date and time with a UTC offset or Z, e.g. "2026-11-23T10:00:00Z" or "2026-11-23T11:00:00+01:00"; without one the time could be in any time zone',
    })
    .optional()
    .describe('Claimable from this time.'),
  delaySeconds: numeric(
    z
      .int()
      .min(0)
      .max(365 * 86_400),
  )
    .optional()
    .describe('Not claimable for this long.'),
  maxAttempts: numeric(z.int().min(1).max(100)).optional().describe('Default 3; then dead_letter.'),
  dedupeKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('One unfinished job per type and key: enqueue returns it.'),
  createdBy: actor.optional(),
  queue: queueName.default(DEFAULT_QUEUE),
  concurrencyKey: concurrencyKey.optional(),
  dependsOn: z.array(jobId).max(MAX_DEPENDENCIES).optional().describe('Ids of jobs to succeed first.'),
});
export type EnqueueInput = z.input<typeof enqueueInput>;

/** A job of a graph enqueue: named by `ref`, depending on refs of the same call or on existing ids. */
const graphRef = z.string().min(1).max(64);
export const graphJobInput = enqueueInput.extend({
  ref: graphRef.describe('Names the job within this call.'),
  dependsOn: z.array(graphRef).max(MAX_DEPENDENCIES).optional().describe('Refs of this call or job ids.'),
});
export const enqueueGraphInput = z.strictObject({
  jobs: z.array(graphJobInput).min(1).max(MAX_GRAPH_JOBS),
});
export type EnqueueGraphInput = z.input<typeof enqueueGraphInput>;

export const claimInput = z.strictObject({
  workerId,
  types: z
    .array(jobType)
    .max(64)
    .optional()
    // Normalised here, once: past this schema `types` is undefined (any type) or a non-empty list.
    .transform((types) => (types && types.length > 0 ? types : undefined)),
  capabilities: z.array(capability).max(64).default([]).describe('What this worker can do.'),
  leaseSeconds: leaseSeconds.optional(),
  waitSeconds: numeric(z.number().min(0).max(MAX_CLAIM_WAIT_SECONDS)).default(0),
  queue: queueName.default(DEFAULT_QUEUE),
});
export type ClaimInput = z.input<typeof claimInput>;

/** The most jobs one batched claim takes, and one batched completion ends. */
export const MAX_BATCH = 100;

/** A batched claim: the claim's fields and `limit`, the most jobs this answer may hold. */
export const claimBatchInput = claimInput.extend({
  limit: numeric(z.number().int().min(1).max(MAX_BATCH)).describe('The most jobs to take at once.'),
});
export type ClaimBatchInput = z.input<typeof claimBatchInput>;

export const heldInput = z.strictObject({ workerId });
export type HeldInput = z.input<typeof heldInput>;

export const heartbeatInput = z.strictObject({
  jobId,
  leaseToken,
  leaseSeconds: leaseSeconds.optional(),
  progress: numeric(z.number().min(0).max(100)).optional(),
  message: z.string().min(1).max(2000).optional(),
  waitSeconds: numeric(z.number().min(0).max(MAX_CLAIM_WAIT_SECONDS)).default(0),
});
export type HeartbeatInput = z.input<typeof heartbeatInput>;

export const completeInput = z.strictObject({
  jobId,
  leaseToken,
  result: z.unknown().optional(),
  resultSummary: z.string().max(8000).optional(),
});
export type CompleteInput = z.input<typeof completeInput>;

/** A batched completion: each item as complete takes it, ended together where that is safe. */
export const completeBatchInput = z.strictObject({
  items: z.array(completeInput).min(1).max(MAX_BATCH),
});
export type CompleteBatchInput = z.input<typeof completeBatchInput>;

export const failInput = z.strictObject({
  jobId,
  leaseToken,
  error: z.string().min(1).max(8000),
  retryable: z.boolean().default(true),
});
export type FailInput = z.input<typeof failInput>;

export const ackCancelInput = z.strictObject({
  jobId,
  leaseToken,
  message: z.string().min(1).max(2000).optional(),
});
export type AckCancelInput = z.input<typeof ackCancelInput>;

export const logInput = z.strictObject({
  jobId,
  leaseToken,
  stream: z.enum(['stdout', 'stderr']).describe('Which output the lines came from.'),
  lines: z.array(z.string().max(4000)).min(1).max(200).describe('Output lines, oldest first.'),
});
export type LogInput = z.input<typeof logInput>;

// A remote worker's push wake-up (WorkerPort.watchJob over REST): held until the job or the pause
// state may have changed, or the timeout.
export const watchInput = z.strictObject({
  jobId,
  timeoutSeconds: numeric(z.number().min(0).max(MAX_CLAIM_WAIT_SECONDS)).default(30).describe('Default 30.'),
  pauseVersion: numeric(z.int().min(0))
    .optional()
    .describe('system.version of your last answer: a pause or resume since then answers at once.'),
});
export type WatchInput = z.input<typeof watchInput>;

// Not offered to callers: a surface releases a claim whose answer it could not deliver.
export const releaseInput = z.strictObject({
  jobId,
  leaseToken,
  reason: z.string().min(1).max(200).describe('Why the answer could not be delivered.'),
});
export type ReleaseInput = z.input<typeof releaseInput>;

export const cancelInput = z.strictObject({
  jobId,
  queue: inQueue,
  reason: reason.optional().describe('Shown to the worker.'),
  requestedBy: actor.optional(),
});
export type CancelInput = z.input<typeof cancelInput>;

export const retryInput = z.strictObject({ jobId, queue: inQueue, requestedBy: actor.optional() });
export type RetryInput = z.input<typeof retryInput>;

export const getInput = z.strictObject({
  jobId,
  queue: inQueue,
  events: numeric(z.int().min(0).max(MAX_LIST_LIMIT)).default(0),
  dependencies: z.boolean().default(false).describe("Adds dependencies' results."),
});
export type GetInput = z.input<typeof getInput>;

export const waitInput = z.strictObject({
  jobId,
  queue: inQueue,
  waitSeconds: numeric(z.number().min(0).max(MAX_CLAIM_WAIT_SECONDS))
    .default(MAX_CLAIM_WAIT_SECONDS)
    .describe('Default 50.'),
});
export type WaitInput = z.input<typeof waitInput>;

export const listInput = z.strictObject({
  queue: inQueue,
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead_letter']).optional(),
  type: jobType.optional(),
  claimedBy: z.string().min(1).max(200).optional().describe('A worker id.'),
  limit: numeric(z.int().min(1).max(MAX_LIST_LIMIT)).default(50).describe('Default 50.'),
  cursor: z.string().min(1).max(200).optional(),
  full: z.boolean().default(false),
});
export type ListInput = z.input<typeof listInput>;

export const eventsInput = z.strictObject({
  jobId,
  queue: inQueue,
  after: numeric(z.int().min(0)).optional().describe('Only events with an id greater than this.'),
  limit: numeric(z.int().min(1).max(1000)).default(100),
});
export type EventsInput = z.input<typeof eventsInput>;

export const pauseInput = z.strictObject({
  queue: inQueue.describe('Pause only this named queue; without it, the fleet.'),
  mode: z.enum(['drain', 'quiesce']),
  reason: reason.describe('Shown to workers.'),
  requestedBy: actor.optional(),
});
export type PauseInput = z.input<typeof pauseInput>;

export const resumeInput = z.strictObject({
  queue: inQueue.describe("Resume this named queue's own pause; without it, the fleet's."),
  reason: reason.describe('Recorded in the audit.'),
  force: z.boolean().default(false),
  requestedBy: actor.optional(),
});
export type ResumeInput = z.input<typeof resumeInput>;

export const statusInput = z.strictObject({
  queue: inQueue.describe("Counts of this queue, and both its own pause and the fleet's."),
  audit: numeric(z.int().min(0).max(100)).default(10),
});
export type StatusInput = z.input<typeof statusInput>;

// Recurring jobs (schedules.ts): the job's fields as enqueue takes them, plus the cron expression.
export const scheduleAddInput = z.strictObject({
  name: queueName.describe('Unique name of the schedule, e.g. "nightly-audit".'),
  cron: z.string().min(1).max(200).describe('e.g. "0 3 * * *" (03:00 daily); six fields: seconds first.'),
  timezone: z.string().min(1).max(64).default('UTC').describe('IANA time zone of the expression.'),
  type: jobType,
  payload: jsonObject.default({}),
  priority: numeric(z.int().min(-1_000_000).max(1_000_000)).default(0),
  requiredCapabilities: z.array(capability).max(32).default([]),
  maxAttempts: numeric(z.int().min(1).max(100)).optional(),
  queue: queueName.default(DEFAULT_QUEUE),
  concurrencyKey: concurrencyKey.optional(),
  createdBy: actor.optional(),
  replace: z.boolean().default(false).describe('Overwrite a schedule of the same name.'),
});
export type ScheduleAddInput = z.input<typeof scheduleAddInput>;

export const scheduleRemoveInput = z.strictObject({ name: queueName });
export type ScheduleRemoveInput = z.input<typeof scheduleRemoveInput>;

/** The most running jobs a key's limit may allow: more is surely a typo (and 0 holds the key). */
export const MAX_KEY_LIMIT = 10_000;

export const limitSetInput = z.strictObject({
  key: concurrencyKey,
  max: numeric(
    z
      .int('must be a whole number of running jobs, e.g. 2')
      .min(0, 'must be 0 (hold the key: none of its jobs start) or more')
      .max(MAX_KEY_LIMIT, `must be at most ${MAX_KEY_LIMIT} running jobs`),
  ).describe('Most jobs with this key running at once; 0 holds the key (none of its jobs start).'),
  updatedBy: actor.optional(),
});
export type LimitSetInput = z.input<typeof limitSetInput>;

export const limitRemoveInput = z.strictObject({ key: concurrencyKey });
export type LimitRemoveInput = z.input<typeof limitRemoveInput>;
