// The worker protocol in words: the server `instructions` (a few lines every session sees) and the
// `work_queue` prompt (a slash command that turns the agent into a worker).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ERROR_CODES } from '../core/errors.js';
import type { ToolBase } from './profiles.js';

type Name = (base: ToolBase) => string;

export function instructions(n: Name, has: (base: ToolBase) => boolean): string {
  const lines = ['agent-queue: a durable job queue shared by many agents.'];
  if (has('enqueue')) {
    const follow = has('wait') ? `await its result with ${n('wait')}` : `follow it with ${n('get')}`;
    lines.push(
      `Producers add work with ${n('enqueue')} and ${follow}; ${n('enqueue')} {jobs: [{ref, …, dependsOn: [ref]}]} ` +
        'adds steps that run in order (e.g. implement -> test -> review).',
    );
  }
  if (has('claim')) {
    lines.push(
      `Workers: ${n('claim')} -> do job.payload -> ${n('heartbeat')} at checkpoints -> ${n('complete')} or ${n('fail')}, ` +
        'each with jobId = job.id and leaseToken = lease.token from the claim; their answers carry the job state, not its payload.',
      'Always obey `action`: work = do it; wait = claim again with waitSeconds ≤ 50 (or after retryAfterSeconds); ' +
        `continue = keep going; cancel = stop and ${n('ack_cancel')}; pause = stop at a checkpoint and heartbeat ` +
        'with waitSeconds until continue; lease_lost = stop, the job is no longer yours.',
    );
    // A job runs only after its dependencies succeeded: what they produced is its input too.
    if (has('get')) {
      lines.push(
        `A job that waited for others (dependsOn) reads their results with ${n('get')} {jobId, dependencies: true}.`,
      );
    }
  }
  if (has('pause')) lines.push(`Operators: ${n('pause')} (drain | quiesce), ${n('resume')}, ${n('status')}.`);
  // The codes are stable and agents branch on them; the tools/list no longer repeats them per tool.
  lines.push(
    `Errors are {"error":{"code","message"}}, code one of ${ERROR_CODES.join(', ')}; the message says how to fix the call.`,
  );
  return lines.join('\n');
}

export function workQueuePrompt(types: string | undefined, maxJobs: string | undefined, n: Name): string {
  const scope = types
    ? ` and types ${JSON.stringify(
        types
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )}`
    : '';
  // A claim with waitSeconds returns the moment a job arrives, so an empty answer means a quiet
  // queue for the whole wait: two in a row (about 100 s) is enough to stop. A paused fleet is not
  // an empty queue (the claim sleeps until resume), but an agent should not sleep through it forever.
  const idle =
    'when two claims in a row answer "wait" while system.workersPaused is false (nothing arrived for about 100 seconds), ' +
    'or when workers have stayed paused for 10 minutes';
  const stop = maxJobs ? `Stop after ${maxJobs} job(s), or earlier ${idle}.` : `Stop ${idle}.`;
  return `You are now a worker for the agent-queue job queue. ${stop}

0. First call ${n('held')}: a job listed there is already yours (from before a restart). Heartbeat it and carry it on from step 2. If it is refused (an HTTP server with one worker id for all), go to step 1.
1. Call ${n('claim')} with waitSeconds: 50${scope}. It returns as soon as a job is yours; while workers are paused it waits for the resume.
   - action "work": the job is yours. job.type and job.payload say what to do. Keep job.id and lease.token.
   - action "wait": nothing came within the wait (system.workersPaused says whether workers are paused). Call ${n('claim')} again at once, unless it is time to stop.
2. Do the job. At each checkpoint (a step done, and at least every few minutes) call ${n('heartbeat')} with jobId, leaseToken, a short message and progress (0-100), then obey its action:
   - "continue": keep going.
   - "cancel": stop now, leave the work tidy, and call ${n('ack_cancel')} saying what was left undone.
   - "pause": finish the current step, change nothing more, and call ${n('heartbeat')} with waitSeconds: 50 until it answers "continue" (it answers the moment the pause ends) or "cancel".
   - error lease_lost: stop; the job is no longer yours. Do not complete it.
3. When done, call ${n('complete')} with a short resultSummary (and result JSON if useful). If you cannot do it, call ${n('fail')} with the error, and retryable: false when another attempt cannot help.
4. Report the outcome in one line, then go back to step 1.

Never work on a job without a lease, and never reuse a lease token from an earlier job.`;
}

export function registerPrompts(server: McpServer, n: Name): void {
  server.registerPrompt(
    'work_queue',
    {
      title: 'Work the queue',
      description: 'Act as a queue worker: claim jobs, do them, heartbeat, complete or fail.',
      argsSchema: {
        types: z
          .string()
          .optional()
          .describe('Comma-separated job types to take, e.g. code.review,docs.write'),
        maxJobs: z
          .string()
          .regex(/^[1-9][0-9]{0,3}$/, 'a whole number from 1 to 9999')
          .optional()
          .describe('Stop after this many jobs'),
      },
    },
    ({ types, maxJobs }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: workQueuePrompt(types, maxJobs, n) } }],
    }),
  );
}
