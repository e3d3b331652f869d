// Every MCP session `serve` holds, Streamable HTTP and legacy SSE counted together: each costs
// memory (its own McpServer, transport and event store: about 160 KiB idle), and clients that never
// send DELETE leave theirs behind. At the cap, the session idle longest is closed to make room; a
// session with a call in flight (a long-poll) is never idle. If all are busy, the new one is refused.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';

export type SessionKind = 'streamable-http' | 'legacy-sse';

interface Entry {
  kind: SessionKind;
  createdAt: number;
  lastActive: number;
  /** Requests received and not yet answered. */
  pending: Set<RequestId>;
  close(): Promise<void>;
}

export interface SessionRegistryOptions {
  maxSessions: number;
  log?: Logger | undefined;
  now?: () => number;
}

export class SessionRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: SessionRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get maxSessions(): number {
    return this.opts.maxSessions;
  }

  /**
   * Makes room for one more session and records it, or answers false when the cap is reached and
   * every session has a call in flight. `close` ends the session (its route forgets it too).
   */
  async admit(id: string, kind: SessionKind, close: () => Promise<void>): Promise<boolean> {
    while (this.entries.size >= this.opts.maxSessions) {
      const victim = this.idleLongest();
      if (!victim) {
        this.opts.log?.warn(
          { sessions: this.entries.size, maxSessions: this.opts.maxSessions, kind },
          'session cap reached and every session has a call in flight: new session refused',
        );
        return false;
      }
      const [victimId, e] = victim;
      this.entries.delete(victimId);
      const t = this.now();
      // Ages only: a session id is as good as a credential and never goes to the log.
      this.opts.log?.info(
        {
          kind: e.kind,
          ageSeconds: Math.round((t - e.createdAt) / 1000),
          idleSeconds: Math.round((t - e.lastActive) / 1000),
          maxSessions: this.opts.maxSessions,
        },
        'session cap reached: closed the session idle longest',
      );
      await e.close().catch(() => {});
    }
    const t = this.now();
    this.entries.set(id, { kind, createdAt: t, lastActive: t, pending: new Set(), close });
    return true;
  }

  /** The session was used (any HTTP request for it). */
  touch(id: string): void {
    const e = this.entries.get(id);
    if (e) e.lastActive = this.now();
  }

  /** The session ended on its own (DELETE, stream closed, server shutdown). */
  remove(id: string): void {
    this.entries.delete(id);
  }

  /** Ids of sessions without a call in flight and unused for at least `ms`. */
  idleFor(ms: number): string[] {
    const cutoff = this.now() - ms;
    return [...this.entries]
      .filter(([, e]) => e.pending.size === 0 && e.lastActive <= cutoff)
      .map(([id]) => id);
  }

  /**
   * Counts the session's calls in flight: wraps the transport's message hooks, so call after the
   * server connected it (connect installs `onmessage`). Notifications do not count.
   */
  watch(id: string, transport: Transport): void {
    const received = transport.onmessage;
    const send = transport.send.bind(transport);
    transport.onmessage = (message, extra) => {
      const e = this.entries.get(id);
      if (e) e.lastActive = this.now();
      if (e && isJSONRPCRequest(message)) {
        e.pending.add(message.id);
      } else if (e && isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
        // A cancelled request is never answered: it is no longer in flight.
        const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (requestId !== undefined) e.pending.delete(requestId);
      }
      received?.(message, extra);
    };
    transport.send = async (message: JSONRPCMessage, options) => {
      const e = this.entries.get(id);
      // An answer (result or error) ends the call it answers, delivered or not.
      if (e && (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message))) {
        if (message.id !== undefined) e.pending.delete(message.id);
        e.lastActive = this.now();
      }
      return send(message, options);
    };
  }

  private idleLongest(): [string, Entry] | undefined {
    let best: [string, Entry] | undefined;
    for (const entry of this.entries) {
      if (entry[1].pending.size > 0) continue;
      if (!best || entry[1].lastActive < best[1].lastActive) best = entry;
    }
    return best;
  }
}

/** What a refused client is told: the same words for both transports. */
export const capMessage = (max: number) =>
  `Too many MCP sessions: all ${max} have a call in flight. Retry in a moment, end unused sessions ` +
  `(DELETE /mcp), or raise the cap with --max-sessions (AGENT_QUEUE_HTTP_MAX_SESSIONS).`;
