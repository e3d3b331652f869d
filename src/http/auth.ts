// Bearer-token authentication for /mcp, the legacy SSE pair and /api (SPEC §12). While no token
// exists, serve is a loopback-only server and everyone who reaches it is trusted (principal null);
// once any unrevoked token exists, every request there must carry `Authorization: Bearer <token>`.
// Which permission a request needs comes from the route (requirePermission) or, for /api, from
// the table in route-permissions.ts; what a role grants is src/queue/permissions.ts.
import type { Context, MiddlewareHandler } from 'hono';
import { QueueError } from '../core/errors.js';
import { allows, forbidden, type Permission, type Principal } from '../queue/permissions.js';
import type { TokenRegistry } from '../queue/tokens.js';
import type { Logger } from '../log.js';
import { refuse, type ErrorStyle } from './errors.js';

/** Hono variables set by `authenticate`: the caller, or null when tokens are off. */
export interface AuthVariables {
  principal: Principal | null;
}
export type AuthEnv = { Variables: AuthVariables };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export interface AuthOptions {
  /** Require a token even while none exists (serve off loopback): revoking the last one shuts the door. */
  always?: boolean;
  /** Where a bug's stack goes: a 500 answer says "check the server log". */
  log?: Logger | undefined;
}

export function authenticate(
  tokens: TokenRegistry,
  style: ErrorStyle,
  opts: AuthOptions = {},
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    // A CORS preflight carries no credentials by design; the origin guard answers it.
    if (c.req.method === 'OPTIONS') return next();
    try {
      if (!opts.always && !(await tokens.isRequired())) {
        c.set('principal', null);
        return next();
      }
      const header = c.req.header('authorization');
      if (header === undefined) {
        return unauthorized(
          c,
          style,
          'This server requires a bearer token: send the header "Authorization: Bearer <token>". An operator creates one with: agent-queue token create --role worker --name NAME',
          false,
        );
      }
      const secret = BEARER.exec(header)?.[1];
      const principal = secret === undefined ? null : await tokens.verify(secret);
      if (!principal) {
        // Never repeat the presented value: it may be a real secret sent to the wrong server.
        return unauthorized(
          c,
          style,
          'The bearer token is not valid (unknown, revoked or malformed). Ask an operator for a current token (agent-queue token list shows which exist).',
          true,
        );
      }
      c.set('principal', principal);
    } catch (err) {
      // The token store is the database: while it is away, say so rather than 401.
      const answer = refuse(c, style, err);
      if (answer.status === 500) {
        // Message and stack only: never the Authorization header.
        const e = err as { message?: unknown; stack?: unknown };
        opts.log?.error(
          { err: { message: e.message, stack: e.stack }, path: c.req.path },
          'authentication failed',
        );
      }
      return answer;
    }
    return next();
  };
}

/** Refuses with 403 `forbidden` unless the caller's role grants `permission` (or tokens are off). */
export function requirePermission(
  permission: Permission,
  style: ErrorStyle = 'rest',
): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (principal && !allows(principal, permission))
      return refuse(c, style, forbidden(principal, permission));
    return next();
  };
}

/** The caller of a request that passed `authenticate` (null: tokens are off, or no auth mounted). */
export const principalOf = (c: Context): Principal | null =>
  (c as unknown as Context<AuthEnv>).get('principal') ?? null;

function unauthorized(c: Context, style: ErrorStyle, message: string, invalid: boolean): Response {
  c.header(
    'WWW-Authenticate',
    invalid ? 'Bearer realm="agent-queue", error="invalid_token"' : 'Bearer realm="agent-queue"',
  );
  return refuse(c, style, new QueueError('unauthorized', message));
}
