// The worker protocol in words: the server `instructions` (a few lines every session sees) and the
// `work_queue` prompt (a slash command that turns the agent into a worker).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolBase } from './profiles.js';

type Name = (base: ToolBase) => string;

export function instructions(n: Name, has: (base: ToolBase) => boolean): string {
  const lines = ['agent-queue: a durable job queue shared by many agents.'];
  if (has('enqueue')) lines.push(`Producers add work with ${n('enqueue')} and follow it with ${n('get')}.`);
  if (has('claim')) {
    lines.push(
      `Workers: ${n('claim')} -> do job.payload -> ${n('heartbeat')} at checkpoints -> ${n('complete')} or ${n('fail')}.`,
      'Always obey `action`: work = do it; wait = ask again after retryAfterSeconds (or use waitSeconds); ' +
        `continue = keep going; cancel = stop and ${n('ack_cancel')}; pause = stop at a checkpoint and heartbeat ` +
        'until continue; lease_lost = stop, the job is no longer yours.',
    );
  }
  if (has('pause')) lines.push(`Operators: ${n('pause')} (drain | quiesce), ${n('resume')}, ${n('status')}.`);
  lines.push('Errors are {"error":{"code","message"}}; the message says how to fix the call.');
  return lines.join('\n');
}

export function workQueuePrompt(types: string | undefined, maxJobs: string | undefined, n: Name): string {
  const scope = types
    ? ` with types ${JSON.stringify(
        types
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )}`
    : '';
  const limit = maxJobs ? `Stop after ${maxJobs} job(s).` : 'Stop when three claims in a row find nothing.';
  return `You are now a worker for the agent-queue job queue. ${limit}

1. Call ${n('claim')}${scope} and waitSeconds 30.
   - action "wait": no job for you now (queue empty or workers paused). Call again after retryAfterSeconds.
   - action "work": the job is yours. job.type and job.payload say what to do. Keep job.id and lease.token.
2. Do the job. At each checkpoint (a step done, and at least every few minutes) call ${n('heartbeat')} with jobId, leaseToken, a short message and progress (0-100), then obey its action:
   - "continue": keep going.
   - "cancel": stop now, leave the work tidy, and call ${n('ack_cancel')} saying what was left undone.
   - "pause": finish the current step, change nothing more, and call ${n('heartbeat')} about once a minute until it answers "continue".
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
