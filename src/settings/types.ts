// The one settings object every command starts from. Flags, environment and defaults are resolved
// once (load.ts); each surface is handed its slice, never the environment.
import type { OriginPolicy } from '../http/guard.js';
import type { Profile, ToolNaming } from '../mcp/profiles.js';
import type { QueueSettings } from '../queue/settings.js';
import type { DatabaseTarget } from '../store/open.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DatabaseSettings {
  target: DatabaseTarget;
  /** Folder of the default SQLite file. */
  home: string;
}

export interface McpSettings {
  tools: Profile;
  toolNames: ToolNaming;
}

export interface HttpSettings {
  /** Bind address, without the brackets of an IPv6 literal. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  origins: OriginPolicy;
  /** MCP sessions held at once, both HTTP transports together (the idle-longest one makes room). */
  maxSessions: number;
}

/** Who claims: the MCP surface today, the worker runtime next. Claims' default lease is queue.defaultLeaseSeconds. */
export interface WorkerSettings {
  /** Fixed worker id; when absent each MCP session derives its own (see mcp/identity.ts). */
  id?: string | undefined;
  capabilities: string[];
  /** Job types this process may claim; undefined = any. */
  types?: string[] | undefined;
}

/** `agent-queue worker`: how it runs jobs (who it is and what it claims: WorkerSettings). */
export interface RuntimeSettings {
  concurrency: number;
  /** Lease its claims ask for (SPEC §15: 120 s, shorter than an interactive agent's). */
  leaseSeconds: number;
  cancelGraceSeconds: number;
  shutdownGraceSeconds: number;
  noRetryExitCodes: number[];
}

/** `worker` and `mcp` through a remote serve's REST API instead of the database (--server). */
export interface RemoteSettings {
  /** serve's base URL; undefined = the database directly. */
  server?: string | undefined;
  token?: string | undefined;
}

/** The named queue a process works in (docs/queues.md); undefined: not scoped. */
export interface ScopeSettings {
  queue?: string | undefined;
}

/** Frozen: a setting is decided once, at start. */
export interface Settings {
  readonly database: DatabaseSettings;
  readonly queue: QueueSettings;
  readonly log: { level: LogLevel };
  readonly mcp: McpSettings;
  readonly http: HttpSettings;
  readonly worker: WorkerSettings;
  readonly runtime: RuntimeSettings;
  readonly remote: RemoteSettings;
  readonly scope: ScopeSettings;
}
