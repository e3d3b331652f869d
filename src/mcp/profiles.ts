// What the MCP surface can show a host: the tools by base name, the profiles that pick among them,
// and the two naming styles. Facts of the surface, not settings (settings choose among them).
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

export const TOOL_NAMINGS = ['snake', 'dotted'] as const;
export type ToolNaming = (typeof TOOL_NAMINGS)[number];

/** `queue_enqueue`, or `queue.enqueue` for hosts that accept dots. */
export const toolName = (naming: ToolNaming, base: ToolBase): string =>
  `queue${naming === 'dotted' ? '.' : '_'}${base}`;
