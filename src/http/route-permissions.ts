// The permission each REST route of SPEC §11 needs, in one table. Routes may instead carry their
// own `requirePermission(p)`; this table serves a route layer that does not, and /api routes it
// does not list need `operate`, so a route added without a permission is closed, not open.
import type { MiddlewareHandler } from 'hono';
import type { Permission } from '../queue/permissions.js';
import { requirePermission, type AuthEnv } from './auth.js';

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

/** [method, path pattern (`:name` is one path segment), permission]. */
export const API_ROUTE_PERMISSIONS: readonly (readonly [Method, string, Permission])[] = [
  ['POST', '/api/queue/jobs', 'produce'],
  ['GET', '/api/queue/jobs', 'read'],
  ['POST', '/api/queue/jobs/claim', 'work'],
  ['GET', '/api/queue/jobs/:id', 'read'],
  ['GET', '/api/queue/jobs/:id/events', 'read'],
  ['GET', '/api/queue/jobs/:id/events/stream', 'read'],
  ['POST', '/api/queue/jobs/:id/heartbeat', 'work'],
  ['POST', '/api/queue/jobs/:id/complete', 'work'],
  ['POST', '/api/queue/jobs/:id/fail', 'work'],
  ['POST', '/api/queue/jobs/:id/cancel', 'produce'],
  ['POST', '/api/queue/jobs/:id/cancel/ack', 'work'],
  ['POST', '/api/queue/jobs/:id/retry', 'operate'],
  ['GET', '/api/system/worker-pause', 'read'],
  ['POST', '/api/system/worker-pause', 'operate'],
  ['GET', '/api/openapi.json', 'read'],
];

/** What a route not in the table needs: the most privileged permission. */
export const UNLISTED_PERMISSION: Permission = 'operate';

const COMPILED = API_ROUTE_PERMISSIONS.map(([method, pattern, permission]) => ({
  method,
  permission,
  re: new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/:[a-zA-Z]+/g, '[^/]+')}/?$`),
}));

/** The permission a request needs (HEAD counts as GET). */
export function permissionFor(method: string, path: string): Permission {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return COMPILED.find((r) => r.method === m && r.re.test(path))?.permission ?? UNLISTED_PERMISSION;
}

/** Middleware for /api/*: checks the table's permission for each request (after `authenticate`). */
export function apiPermissions(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    return requirePermission(permissionFor(c.req.method, c.req.path))(c, next);
  };
}
