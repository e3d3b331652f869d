// Who claims (every claiming command) and how `agent-queue worker` runs the jobs it claims.
import { z } from 'zod';
import { TYPE_PATTERN } from '../../queue/schemas.js';
import { exitCodeList, nameList, wholeNumber } from '../kinds.js';
import { noValue, setting } from '../setting.js';

/** A whole-number setting of `agent-queue worker` only, with its flag. */
const workerCount = (s: {
  env: string;
  spec: string;
  min: number;
  max: number;
  default: number;
  help: string;
}) =>
  setting({
    env: s.env,
    flag: { spec: s.spec, commands: 'worker', parse: 'integer' },
    commands: 'worker',
    schema: wholeNumber(s.min, s.max),
    default: s.default,
    defaultText: String(s.default),
    help: s.help,
  });

export const WORKER_SETTINGS = {
  'worker.id': setting({
    env: 'AGENT_QUEUE_WORKER_ID',
    flag: { spec: '--worker-id <id>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: z.string().trim().max(200, { error: 'must be at most 200 characters.' }),
    default: noValue,
    defaultText: '`<host>-<client>-<random>` per MCP session, `<host>-worker-<random>` per worker',
    help: 'fixed worker id',
  }),
  'worker.capabilities': setting({
    env: 'AGENT_QUEUE_CAPABILITIES',
    flag: { spec: '--capabilities <list>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: nameList(
      /^[A-Za-z0-9._:-]+$/,
      'capability',
      'Use a comma-separated list of names made of letters, digits and . _ : - (e.g. python,gpu).',
    ),
    default: [] as string[],
    defaultText: 'none',
    help: 'comma-separated capabilities of this worker',
  }),
  'worker.types': setting({
    env: 'AGENT_QUEUE_TYPES',
    flag: { spec: '--types <list>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: nameList(
      TYPE_PATTERN,
      'job type',
      'Use a comma-separated list of lowercase types such as code.review,docs.write.',
    ),
    default: undefined as string[] | undefined,
    defaultText: 'any',
    help: 'comma-separated job types this process may claim',
  }),
  'worker.concurrency': workerCount({
    env: 'AGENT_QUEUE_CONCURRENCY',
    spec: '--concurrency <n>',
    min: 1,
    max: 256,
    default: 1,
    help: 'jobs a worker runs at once',
  }),
  'worker.leaseSeconds': workerCount({
    env: 'AGENT_QUEUE_WORKER_LEASE_SECONDS',
    spec: '--lease <seconds>',
    min: 3,
    max: 86_400,
    default: 120,
    help: "lease a worker's claims ask for; it heartbeats every min(lease/3, 5 s)",
  }),
  'worker.cancelGraceSeconds': workerCount({
    env: 'AGENT_QUEUE_CANCEL_GRACE_SECONDS',
    spec: '--cancel-grace <seconds>',
    min: 0,
    max: 3_600,
    default: 10,
    help: "from SIGTERM to SIGKILL of a cancelled job's process group",
  }),
  'worker.shutdownGraceSeconds': workerCount({
    env: 'AGENT_QUEUE_SHUTDOWN_GRACE_SECONDS',
    spec: '--shutdown-grace <seconds>',
    min: 0,
    max: 86_400,
    default: 30,
    help: 'on SIGINT/SIGTERM, how long running jobs may finish before they are failed retryable',
  }),
  'worker.noRetryExitCodes': setting({
    env: 'AGENT_QUEUE_NO_RETRY_EXIT_CODES',
    flag: { spec: '--no-retry-exit-codes <list>', commands: 'worker' },
    commands: 'worker',
    schema: exitCodeList(),
    default: [] as number[],
    defaultText: 'none',
    help: 'comma-separated exit codes that fail a job for good (not retryable)',
  }),
};
