// What a job runs: the worker's command, or the payload's `steps` when the worker allows them
// (SPEC §13). A plan that cannot run is an error that fails the job for good: retrying cannot help.
import type { ClaimAnswer, JsonObject } from '../core/types.js';
import type { WorkerOptions } from './types.js';

export type JobPlan = { steps: string[][] } | { error: string };

const MAX_STEPS = 100;
/** AGENT_QUEUE_PAYLOAD is set only for a payload up to this size (as JSON); stdin always has it. */
export const MAX_ENV_PAYLOAD_BYTES = 64 * 1024;

export function planJob(payload: JsonObject, opts: Pick<WorkerOptions, 'command' | 'allowSteps'>): JobPlan {
  const steps = payload.steps;
  if (steps === undefined) {
    if (opts.command.length === 0)
      return { error: 'This worker has no command to run (give one after `--`).' };
    return { steps: [opts.command] };
  }
  if (!opts.allowSteps) {
    return {
      error:
        'This job has payload `steps`, but this worker does not run commands chosen by producers. ' +
        'Start the worker with --allow-steps to run them.',
    };
  }
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    return {
      error: `payload.steps must be a list of 1 to ${MAX_STEPS} steps like {"command": ["prog", "arg"]}.`,
    };
  }
  const argvs: string[][] = [];
  for (const [i, step] of (steps as unknown[]).entries()) {
    const command =
      step && typeof step === 'object' && !Array.isArray(step)
        ? (step as { command?: unknown }).command
        : undefined;
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((a: unknown) => typeof a === 'string') ||
      command[0] === ''
    ) {
      return {
        error: `payload.steps[${i}].command must be a non-empty list of strings (the first, the program, not empty), like ["prog", "arg"].`,
      };
    }
    argvs.push(command as string[]);
  }
  return { steps: argvs };
}

/** The child's environment: the worker's own, and the job's variables. */
export function childEnv(
  base: Record<string, string | undefined>,
  job: NonNullable<ClaimAnswer['job']>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.AGENT_QUEUE_JOB_ID = job.id;
  env.AGENT_QUEUE_JOB_TYPE = job.type;
  // One environment string may be at most 128 KiB on Linux (E2BIG): a larger payload is on stdin only.
  const payload = JSON.stringify(job.payload);
  if (Buffer.byteLength(payload) <= MAX_ENV_PAYLOAD_BYTES) env.AGENT_QUEUE_PAYLOAD = payload;
  else delete env.AGENT_QUEUE_PAYLOAD;
  env.AGENT_QUEUE_ATTEMPT = String(job.attempt);
  return env;
}
