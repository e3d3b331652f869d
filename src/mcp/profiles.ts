// What the MCP surface can show a host: the tools by base name, the profiles that pick among them,
// and the two naming styles. Facts of the surface, not settings (settings choose among them).
import { allows, type Permission, type Role } from '../queue/permissions.js';
export const TOOL_BASES = [
  'enqueue',
  'submit',
  'wait',
  'claim',
  'heartbeat',
  'complete',
  'fail',
  'ack_cancel',
  'held',
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
  worker: ['claim', 'heartbeat', 'complete', 'fail', 'ack_cancel', 'held', 'get', 'status'],
  producer: ['enqueue', 'submit', 'wait', 'cancel', 'get', 'list', 'status'],
  operator: TOOL_BASES,
  all: TOOL_BASES,
} as const satisfies Record<string, readonly ToolBase[]>;
export type Profile = keyof typeof PROFILES;

/** The permission each tool needs when a bearer token calls it (SPEC §12). */
export const TOOL_PERMISSIONS: Record<ToolBase, Permission> = {
  enqueue: 'produce',
  submit: 'produce',
  wait: 'read',
  cancel: 'produce',
  claim: 'work',
  heartbeat: 'work',
  complete: 'work',
  fail: 'work',
  ack_cancel: 'work',
  held: 'work',
  get: 'read',
  list: 'read',
  status: 'read',
  pause: 'operate',
  resume: 'operate',
};

/**
 * What a token's session shows: the profile of its role (roles and profiles share names), within
 * the server's own profile (--tools), and only tools the role is allowed to call.
 */
export function toolsFor(role: Role, server: readonly ToolBase[]): ToolBase[] {
  const own: readonly ToolBase[] = PROFILES[role];
  return server.filter((b) => own.includes(b) && allows({ role }, TOOL_PERMISSIONS[b]));
}

export const TOOL_NAMINGS = ['snake', 'dotted'] as const;
export type ToolNaming = (typeof TOOL_NAMINGS)[number];

/** `queue_enqueue`, or `queue.enqueue` for hosts that accept dots. */
export const toolName = (naming: ToolNaming, base: ToolBase): string =>
  `queue${naming === 'dotted' ? '.' : '_'}${base}`;
