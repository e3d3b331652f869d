// Worker identity per MCP session: --worker-id / AGENT_QUEUE_WORKER_ID when given, else
// <host>-<client>-<random>, so two sessions of one host on one machine are still told apart.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

const clean = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

/** This session's worker id; `adopt` takes the name a remote serve knows us by (a token's name). */
export interface SessionIdentity {
  (): string;
  adopt(name: string): void;
}

/** Derived at first use, i.e. after `initialize` told us the client's name. */
export function sessionIdentity(server: McpServer, fixed: string | undefined): SessionIdentity {
  let id = fixed;
  const identity = () => {
    id ??= [
      clean(hostname()) || 'host',
      clean(server.server.getClientVersion()?.name ?? '') || 'mcp-client',
      randomBytes(3).toString('hex'),
    ].join('-');
    return id;
  };
  return Object.assign(identity, {
    adopt(name: string) {
      id = name;
    },
  });
}
