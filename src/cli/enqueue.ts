import { Option, type Command } from 'commander';
import { ACTOR_FLAG, defaultActor, defineCommand, intArg, listArg } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { when } from './format.js';
import {
  jsonInputArg,
  jsonObjectInputArg,
  readJsonInput,
  readPayloadFlag,
  type JsonInput,
} from './json-input.js';
import { QueueError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { EnqueueGraphInput } from '../queue/schemas.js';

interface EnqueueFlags {
  payload?: JsonInput;
  dependsOn?: string[];
  graph?: JsonInput;
  priority?: number;
  capabilities?: string[];
  runAt?: string;
  delay?: number;
  maxAttempts?: number;
  dedupeKey?: string;
  concurrencyKey?: string;
  actor?: string;
}

export function registerEnqueue(program: Command): void {
  addSettingFlags(
    defineCommand(program, 'enqueue [type]', 'Add a job to the queue (or several, with --graph).'),
    { command: 'enqueue' },
  )
    .option(
      '--payload <json>',
      'job input as a JSON object (default {}); @file reads a file, - reads stdin',
      jsonObjectInputArg,
    )
    .option('--priority <n>', 'higher runs first (default 0)', intArg)
    .option('--capabilities <list>', 'comma-separated capabilities a worker must have', listArg)
    .addOption(new Option('--run-at <iso>', 'not claimable before this ISO-8601 time').conflicts('delay'))
    .addOption(new Option('--delay <seconds>', 'not claimable for this many seconds').argParser(intArg))
    .option('--max-attempts <n>', 'attempts before the job is dead-lettered (default 3)', intArg)
    .option('--dedupe-key <key>', 'while a job of this type and key is unfinished, return it instead')
    .option('--depends-on <ids>', 'comma-separated ids of jobs that must succeed first', listArg)
    .option(
      '--graph <file>',
      'enqueue several jobs with dependencies from a JSON file (- reads stdin): {"jobs": [{"ref", "type", "dependsOn": [ref or id], …}]}',
      graphFileArg,
    )
    .option(
      '--concurrency-key <key>',
      "at most the key's limit (default 1, see `limit`) of jobs with this key run at once",
    )
    .option(...ACTOR_FLAG)
    .action(async (type: string | undefined, flags: EnqueueFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      if (flags.graph) return enqueueGraph(cmd, type, flags);
      if (type === undefined) {
        throw new QueueError(
          'invalid_argument',
          'enqueue needs a job type (enqueue <type>), or --graph FILE.',
        );
      }
      const payload = await readPayloadFlag(flags.payload, g.settings().queue.payloadLimitBytes);
      const answer = await withQueue(g, (q) =>
        q.service.enqueue({
          type,
          payload,
          ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
          ...(flags.capabilities ? { requiredCapabilities: flags.capabilities } : {}),
          ...(flags.runAt !== undefined ? { runAt: flags.runAt } : {}),
          ...(flags.delay !== undefined ? { delaySeconds: flags.delay } : {}),
          ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
          ...(flags.dedupeKey !== undefined ? { dedupeKey: flags.dedupeKey } : {}),
          ...(flags.dependsOn ? { dependsOn: flags.dependsOn } : {}),
          ...(flags.concurrencyKey !== undefined ? { concurrencyKey: flags.concurrencyKey } : {}),
          createdBy: flags.actor ?? defaultActor(),
          ...scope(g),
        }),
      );
      const { job } = answer;
      output(g, answer, () =>
        answer.deduplicated
          ? `${job.id}  already ${job.status} with dedupe key "${job.dedupeKey}": not enqueued again`
          : `${job.id}  enqueued ${job.type} (priority ${job.priority}, ${runs(job)})`,
      );
    });
}

/** A path or `-`, read as the JSON flags read `@path` and `-`. */
function graphFileArg(value: string, previous?: JsonInput): JsonInput {
  return jsonInputArg(value === '-' ? '-' : `@${value.replace(/^@/, '')}`, previous);
}

const runs = (job: Job) =>
  job.pendingDependencies > 0
    ? `waits for ${job.pendingDependencies} ${job.pendingDependencies === 1 ? 'dependency' : 'dependencies'}`
    : `runs at ${when(job.runAt)}`;

// The single job's flags mean nothing with --graph: each job of the file says its own.
const SINGLE_JOB_FLAGS = [
  'payload',
  'priority',
  'capabilities',
  'runAt',
  'delay',
  'maxAttempts',
  'dedupeKey',
  'dependsOn',
] as const;

async function enqueueGraph(cmd: Command, type: string | undefined, flags: EnqueueFlags): Promise<void> {
  const g = globalOptions(cmd);
  const stray = SINGLE_JOB_FLAGS.filter((f) => flags[f] !== undefined);
  if (type !== undefined || stray.length > 0) {
    throw new QueueError(
      'invalid_argument',
      `--graph takes every job from its file: remove ${[...(type !== undefined ? ['the type argument'] : []), ...stray.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)].join(', ')} and put them in the jobs of the file.`,
    );
  }
  const limit = g.settings().queue.payloadLimitBytes;
  const graph = (await readJsonInput(flags.graph!, '--graph', limit, { object: true })) as Record<
    string,
    unknown
  >;
  const createdBy = flags.actor ?? defaultActor();
  const { jobs } = graph as { jobs?: unknown };
  const withActor = Array.isArray(jobs)
    ? jobs.map((j: unknown) => (typeof j === 'object' && j !== null ? { createdBy, ...j } : j))
    : jobs;
  const answer = await withQueue(g, (q) =>
    q.service.enqueueGraph({ ...graph, jobs: withActor } as EnqueueGraphInput),
  );
  output(g, answer, () =>
    answer.jobs
      .map(({ ref, job, deduplicated }) =>
        deduplicated
          ? `${job.id}  ${ref}: already ${job.status} with dedupe key "${job.dedupeKey}"`
          : `${job.id}  ${ref}: enqueued ${job.type} (${runs(job)})`,
      )
      .join('\n'),
  );
}
