import { QueueError } from '../../core/errors.js';
import { heldAnswer } from '../schema.js';
import { defineTool } from '../tool.js';

export const queueHeld = defineTool({
  base: 'held',
  // Whether a restart keeps the worker id, the answer's `note` says when it matters.
  description: (n) => `Your running jobs with lease tokens (after a restart): ${n('heartbeat')} each, go on.`,
  input: {},
  output: heldAnswer,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  // Always this session's own identity: a token is shown to the worker that holds the job only.
  run: async (_args, ctx) => {
    // Under a bearer token the id is the token's name: only its holder claims as it, and it is the
    // same in every session of that token, so jobs claimed in an earlier session are listed too.
    if (ctx.principal) return ctx.service.held({ workerId: ctx.identity() });
    if (ctx.remote?.token) {
      // Through a remote serve with a token: the server answers for the token's name whatever we
      // send, and only its jobs, so the answer is this agent's own. Its workerId is our identity.
      const answer = await ctx.service.held({ workerId: ctx.identity() });
      ctx.adoptIdentity(answer.workerId);
      return answer;
    }
    // Through a remote serve without a token, this process is still one agent: the stdio rule below.
    if (ctx.transport === 'http' && ctx.worker.id !== undefined) {
      // Every HTTP session of this server claims as the same fixed id, so "held by this id" would
      // hand one agent the lease tokens of all the others. Refused unless a token names the agent.
      throw new QueueError(
        'forbidden',
        `${ctx.name('held')} is refused over HTTP when the server has a fixed worker id ` +
          `("${ctx.worker.id}", from --worker-id or AGENT_QUEUE_WORKER_ID): every HTTP session shares ` +
          "that id, so the answer would include other agents' lease tokens. To find your jobs after " +
          'a restart, run agent-queue as a stdio MCP server with your own AGENT_QUEUE_WORKER_ID; ' +
          'or start serve without --worker-id so each session has its own id, or connect with a ' +
          'worker token (agent-queue token create --role worker): its name is then your worker id.',
      );
    }
    const answer = await ctx.service.held({ workerId: ctx.identity() });
    if (ctx.worker.id !== undefined) return answer;
    // An empty list under a per-session id says nothing about jobs claimed before a restart.
    return { ...answer, note: ctx.transport === 'http' ? HTTP_NOTE : STDIO_NOTE };
  },
});

const STDIO_NOTE =
  'This worker id is new with this session, so jobs claimed before a restart are not listed. Set AGENT_QUEUE_WORKER_ID (or --worker-id) in the MCP config to keep one id across restarts.';
// Over HTTP the id is the server's, not the agent's: setting it would share it with every session.
const HTTP_NOTE =
  'This worker id is new with this HTTP session, so jobs claimed in an earlier session are not listed. For jobs that must outlive a session, run agent-queue as a stdio MCP server with your own AGENT_QUEUE_WORKER_ID.';
