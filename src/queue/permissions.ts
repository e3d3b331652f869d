// Who may do what over HTTP (SPEC §12). A bearer token has one role; each role grants a set of
// permissions, and every REST route and MCP tool needs exactly one permission.
import { QueueError } from '../core/errors.js';

export const ROLES = ['producer', 'worker', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * read: get, list, events, status. produce: enqueue, cancel. work: claim, heartbeat, complete,
 * fail, ackCancel, held. operate: pause, resume, retry (and everything else).
 */
export const PERMISSIONS = ['read', 'produce', 'work', 'operate'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  producer: ['read', 'produce'],
  worker: ['read', 'work'],
  operator: PERMISSIONS,
};

/** The caller a verified token stands for. Never carries the secret or its hash. */
export interface Principal {
  tokenId: string;
  /** The token's name: also the worker id and the actor recorded for what the caller does. */
  name: string;
  role: Role;
  /** A worker token's job types; null = any. */
  allowedTypes: string[] | null;
  /** A worker token's capabilities; null = no limit beyond the claimer's own. */
  allowedCapabilities: string[] | null;
}

export const allows = (principal: Pick<Principal, 'role'>, permission: Permission): boolean =>
  GRANTS[principal.role].includes(permission);

/** The `forbidden` error for a principal lacking a permission, saying which role would do. */
export function forbidden(principal: Pick<Principal, 'role' | 'name'>, permission: Permission): QueueError {
  const roles = ROLES.filter((r) => GRANTS[r].includes(permission));
  return new QueueError(
    'forbidden',
    `Token "${principal.name}" has role ${principal.role}, which may not ${permission}; this needs a ${roles.join(' or ')} token. ` +
      `Create one with: agent-queue token create --role ${roles[0]} --name NAME`,
    { details: { role: principal.role, permission } },
  );
}

/**
 * A claimer's job types under a token: the server's scope narrowed to the token's (never widened).
 * undefined = any type. Disjoint scopes would claim nothing: refused, so the mistake is visible.
 */
export function tokenTypes(serverTypes: string[] | undefined, principal: Principal): string[] | undefined {
  const own = principal.allowedTypes;
  if (own === null) return serverTypes;
  if (serverTypes === undefined || serverTypes.length === 0) return own;
  const both = serverTypes.filter((t) => own.includes(t));
  if (both.length === 0) {
    throw new QueueError(
      'forbidden',
      `Token "${principal.name}" may claim job types ${own.join(', ')}, but this server only serves ${serverTypes.join(', ')}: no job type is left to claim. ` +
        "Create a token whose --types overlap the server's --types.",
    );
  }
  return both;
}

/** A claimer's capabilities under a token: only those the token allows too. */
export function tokenCapabilities(claimer: readonly string[], principal: Principal): string[] {
  const own = principal.allowedCapabilities;
  return own === null ? [...claimer] : claimer.filter((c) => own.includes(c));
}

/**
 * What a claimer may take: the server's job types (--types; undefined = any) and the claimer's
 * capabilities, each narrowed by a token when there is one. MCP and REST both claim through this.
 */
export function claimScope(
  serverTypes: string[] | undefined,
  capabilities: readonly string[],
  principal: Principal | null | undefined,
): { types: string[] | undefined; capabilities: string[] } {
  if (!principal) return { types: serverTypes, capabilities: [...capabilities] };
  return {
    types: tokenTypes(serverTypes, principal),
    capabilities: tokenCapabilities(capabilities, principal),
  };
}
