// A worker or MCP server that reaches the queue through a remote `serve` (its REST API) instead of
// the database: for machines that may not reach the database, limited by the token's scope.
import { z } from 'zod';
import { noValue, setting } from '../setting.js';

export const REMOTE_SETTINGS = {
  'remote.server': setting({
    env: 'AGENT_QUEUE_SERVER',
    flag: { spec: '--server <url>', commands: 'mcp+worker' },
    commands: 'mcp+worker',
    schema: z
      .string()
      .trim()
      .regex(/^https?:\/\/\S+$/i, {
        error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8787.',
      }),
    default: noValue,
    defaultText: 'none: the database directly',
    help: 'work through this `agent-queue serve` (its REST API) instead of the database',
  }),
  'remote.token': setting({
    env: 'AGENT_QUEUE_TOKEN',
    flag: { spec: '--token <token>', commands: 'mcp+worker' },
    commands: 'mcp+worker',
    schema: z.string().trim().min(1),
    default: noValue,
    defaultText: 'none',
    help: 'bearer token for `--server` (prefer the variable: a flag shows in `ps`)',
  }),
};
