// MCP server options: flags and AGENT_QUEUE_* environment -> one typed, defaulted, validated object.
// Hosts pass settings through `env` in their MCP config, so every flag has an environment twin.
import { settingError as bad, splitList } from '../config.js';
import { TYPE_PATTERN } from '../queue/schemas.js';

export const TOOL_BASES = [
  'enqueue',
  'claim',
  'heartbeat',
  'complete',
  'fail',
  'ack_cancel',
  'cancel',
  'get',
  'list',
  'pause',
  'resume',
  'status',
] as const;
export type ToolBase = (typeof TOOL_BASES)[number];

/** What each profile shows a host: context is precious, so a worker never sees operator tools. */
export const PROFILES = {
  worker: ['claim', 'heartbeat', 'complete', 'fail', 'ack_cancel', 'get', 'status'],
  producer: ['enqueue', 'cancel', 'get', 'list', 'status'],
  operator: TOOL_BASES,
  all: TOOL_BASES,
} as const satisfies Record<string, readonly ToolBase[]>;
export type Profile = keyof typeof PROFILES;
export type ToolNaming = 'snake' | 'dotted';

export interface McpOptions {
  tools: Profile;
  toolNames: ToolNaming;
  /** Fixed worker id; when absent each MCP session derives its own (see identity.ts). */
  workerId?: string | undefined;
  capabilities: string[];
  /** Job types this server may claim; undefined = any. */
  types?: string[] | undefined;
  /** Lease for claims that do not ask for one (SPEC §15: 600 s for MCP). */
  leaseSeconds: number;
}

export interface McpFlags {
  tools?: string | undefined;
  toolNames?: string | undefined;
  workerId?: string | undefined;
  capabilities?: string | undefined;
  types?: string | undefined;
}

function list(raw: string | undefined, setting: string, pattern: RegExp, what: string): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const items = [...new Set(splitList(raw))];
  const wrong = items.find((s) => s.length > 64 || !pattern.test(s));
  if (wrong !== undefined) throw bad(setting, `"${wrong}" is not a valid ${what}. ${describeList(what)}`);
  return items;
}

const describeList = (what: string) =>
  what === 'job type'
    ? 'Use a comma-separated list of lowercase types such as code.review,docs.write.'
    : 'Use a comma-separated list of names made of letters, digits and . _ : - (e.g. python,gpu).';

function oneOf<T extends string>(
  raw: string | undefined,
  setting: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw bad(setting, `"${raw}" is not one of ${allowed.join(', ')}.`);
}

/** Flags win over the environment; `leaseSeconds` comes from the already-validated queue config. */
export function loadMcpOptions(
  flags: McpFlags,
  leaseSeconds: number,
  env: NodeJS.ProcessEnv = process.env,
): McpOptions {
  const workerId = (flags.workerId ?? env.AGENT_QUEUE_WORKER_ID)?.trim() || undefined;
  if (workerId !== undefined && workerId.length > 200)
    throw bad('AGENT_QUEUE_WORKER_ID', 'must be at most 200 characters.');
  return {
    tools: oneOf(
      flags.tools ?? env.AGENT_QUEUE_TOOLS,
      '--tools / AGENT_QUEUE_TOOLS',
      Object.keys(PROFILES) as Profile[],
      'all',
    ),
    toolNames: oneOf(
      flags.toolNames ?? env.AGENT_QUEUE_TOOL_NAMES,
      '--tool-names / AGENT_QUEUE_TOOL_NAMES',
      ['snake', 'dotted'],
      'snake',
    ),
    workerId,
    capabilities:
      list(
        flags.capabilities ?? env.AGENT_QUEUE_CAPABILITIES,
        '--capabilities / AGENT_QUEUE_CAPABILITIES',
        /^[A-Za-z0-9._:-]+$/,
        'capability',
      ) ?? [],
    types: list(
      flags.types ?? env.AGENT_QUEUE_TYPES,
      '--types / AGENT_QUEUE_TYPES',
      TYPE_PATTERN,
      'job type',
    ),
    leaseSeconds,
  };
}

/** `queue_enqueue`, or `queue.enqueue` for hosts that accept dots. */
export const toolName = (naming: ToolNaming, base: ToolBase): string =>
  `queue${naming === 'dotted' ? '.' : '_'}${base}`;
